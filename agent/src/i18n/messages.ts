// Everything the CLI prints to a person, in English and Spanish (the default, in the panel's tone:
// tú imperative). `{name}` marks a value filled in when printed. The daemon's log stays English and
// does not come from here.

export const en = {
  // Help (args.ts).
  "help.intro": "puente-agent: syncs FerraWin and Wispro into Puente when the panel asks.",
  "help.usage": "Usage: {usage}",
  "help.commands": "Commands:",
  "help.options": "Options:",
  "help.more": "Run `puente-agent <command> --help` for a command's options.",
  "help.config":
    "Configuration comes from the environment and a .env file (`puente-agent init` writes one).",
  "help.language": "Language: --lang es|en, or PUENTE_LANG; Spanish by default.",
  "help.unknownCommand": 'unknown command "{command}"',
  "help.missingArgument": "missing argument",
  "help.unknownOption": "unknown option {option}",
  "help.unexpectedArgument": 'unexpected argument "{argument}"',
  "help.common.help": "show this help",
  "help.common.env-file":
    "read configuration from this .env file (default ./.env, then next to the executable)",
  "help.common.lang": "language of the messages: es (default) or en",
  "help.common.json": "print as JSON",
  "help.common.platform": "linux or windows (default: this machine's)",
  "help.run.summary":
    "run the agent: wait for commands from the panel, sync, report (what the service runs)",
  "help.run.details":
    "Keeps a realtime connection to Pusher, claims commands on every doorbell, on every reconnect\n" +
    "and every 30 s (which also starts the schedules set in the panel), sends a heartbeat every\n" +
    "15 s, and resumes its own run left by a crash.\n" +
    "SIGINT / SIGTERM pause the active run (it resumes on the next start) and exit.",
  "help.run.quiet": "do not echo the log to the terminal",
  "help.sync.summary": "sync once from this terminal, with a progress bar and a summary",
  "help.sync.details": "Examples:\n" +
    "  puente-agent sync ferrawin                      new and modified planillas\n" +
    "  puente-agent sync ferrawin --mode year --year 2025 --from-code 2025-4000\n" +
    "  puente-agent sync ferrawin --mode one --code 2026-886\n" +
    "  puente-agent sync wispro                        every customer\n" +
    "Ctrl-C cancels the run at the next batch boundary; a second Ctrl-C quits at once.",
  "help.sync.mode": "FerraWin: incremental (default), year, one or all; Wispro: full",
  "help.sync.year": "with --mode year: the year (ZCONTA)",
  "help.sync.from-code": "with --mode year: start at this code and go down (inclusive)",
  "help.sync.code": "with --mode one: the planilla, e.g. 2026-886",
  "help.sync.json": "print the final summary as JSON instead of a table",
  "help.status.summary":
    "show the configuration, whether an agent is running here, and unfinished runs",
  "help.config.summary":
    "print the configuration the agent will use, where each value came from, secrets masked",
  "help.config.details":
    "Sources: environment (wins), .env, default. Works even when a value is missing.",
  "help.doctor.summary":
    "check configuration, SQL Server, the API and its key, Pusher and the clock",
  "help.doctor.details":
    "Prints one ✔ or ✘ line per check with what to fix; exits 1 when a check fails.",
  "help.doctor.timeout": "seconds to wait for each check (default 10)",
  "help.init.summary":
    "write the .env file from flags, stdin or questions (readable by the service's account only)",
  "help.init.details":
    "Asks for every value not given as a flag when the terminal is interactive; secrets\n" +
    "are not echoed. Use --yes to accept defaults and skip questions, and --stdin to read\n" +
    "KEY=value lines (e.g. PUENTE_AGENT_KEY=…) from standard input, so secrets stay out of the\n" +
    "command line and the shell history.",
  "help.init.output": "where to write (default .env next to the executable, or ./.env from source)",
  "help.init.force": "overwrite an existing file",
  "help.init.yes": "do not ask; use flags and defaults only",
  "help.init.stdin": "read KEY=value lines (the .env's names) from standard input; flags win",
  "help.init.api-url": "PUENTE_API_URL, e.g. https://<project>.supabase.co/functions/v1/sync",
  "help.init.agent-key": "PUENTE_AGENT_KEY (from the panel)",
  "help.init.agent-id": "PUENTE_AGENT_ID (from the panel)",
  "help.init.pusher-host": "PUSHER_HOST (self-hosted server only)",
  "help.service.summary":
    "install, remove, start or stop the agent as a service (systemd on Linux, a task on Windows)",
  "help.service.details":
    "Linux: writes /etc/systemd/system/<name>.service and enables it (needs root).\n" +
    "Windows: creates a scheduled task that runs as SYSTEM at boot and every minute (one agent at\n" +
    "a time), so a crashed agent is back within a minute. `stop` disables the task and lets the\n" +
    "agent pause its run (resumed on `start`); Windows ends it only if it has not stopped in 2 min.\n" +
    "--print shows what would be written and run, and changes nothing.",
  "help.service.print": "print the unit / commands instead of installing",
  "help.service.name": 'service name (default "Puente Agent" on Windows, puente-agent on Linux)',
  "help.service.user": "Linux: the user the service runs as (default: the current user)",
  "help.upgrade.summary":
    "replace the installed agent with a new executable and restart its service",
  "help.upgrade.details":
    "Checks that the new file runs, stops the service (the active run pauses), renames the\n" +
    "installed executable to .old, puts the new one in its place, checks it and starts the\n" +
    "service; on any failure the previous executable is put back. Run it from the installed\n" +
    "executable, as administrator (Windows) or root (Linux).",
  "help.upgrade.name":
    'the service\'s name (default "Puente Agent" on Windows, puente-agent on Linux)',
  "help.upgrade.installed": "the executable to replace (default: this one)",
  "help.upgrade.no-service": "do not stop or start the service (it is not installed)",
  "help.version.summary": "print the agent's version",

  // main.ts.
  "main.seeHelp": "Run `puente-agent {command} --help`.",
  "main.notImplemented": 'command "{command}" is not implemented',
  "main.badLang": 'unknown language "{lang}": use es or en',

  // Errors printed by main.ts, chosen by class (the classes keep English messages for the log).
  "error.agentKeyInvalid":
    "the agent key was refused (401): it is wrong or was revoked. Create a new key for this agent " +
    "in the panel (Agentes → Nueva clave), then run `puente-agent init --agent-key <key>` or set " +
    "PUENTE_AGENT_KEY, and restart the agent.",
  "error.agentOutdated":
    "update the agent: the API does not speak this agent's protocol ({server}). Get the executable " +
    "of the current release and run `puente-agent upgrade <new executable>` on this PC.",
  "error.configInvalid":
    "the agent configuration is invalid:\n{problems}\nFix it in the .env file (puente-agent init " +
    "writes one) or the environment.",
  "error.edgeUnavailable":
    "the Puente API did not answer {route} ({detail}). Check PUENTE_API_URL and the internet " +
    "connection; the agent retries on its own.",
  "error.ingestRejected": "the server refused {route} ({status} {code}): {detail}",
  "error.lockHeld":
    "another puente-agent (PID {pid}) is already running on this machine (lock {path}). Stop it " +
    "first, or wait for its run to finish.",
  "error.runNotRunning":
    "the run is no longer running ({server}): it was cancelled, paused or marked stalled from the " +
    "panel or by another process. Start or resume it from the panel.",
  "error.runAlreadyRunning":
    "another run of this agent is already running ({server}). Wait for it to finish, or pause or " +
    "cancel it from the panel.",
  "error.sourceUnavailable": "{source} is not available: {detail}",

  // sync.
  "sync.unknownSource": 'unknown source "{source}": use ferrawin or wispro',
  "sync.flagNotForMode": "--{flag} only applies to --mode {mode}",
  "sync.yearNeedsYear": " (--mode year needs --year)",
  "sync.oneNeedsCode": " (--mode one needs --code)",
  "sync.cancelling": "cancelling at the next batch boundary (Ctrl-C again to quit now)",
  "sync.summaryRun": "Run {runId}: {status} in {elapsed}",
  "sync.summaryProcessed": "Processed {done}",
  "sync.summaryOf": " of {total}",
  "sync.summaryError": "Error ({code}): {message}",
  "sync.status.queued": "queued",
  "sync.status.running": "running",
  "sync.status.paused": "paused",
  "sync.status.completed": "completed",
  "sync.status.failed": "failed",
  "sync.status.cancelled": "cancelled",
  "sync.status.stalled": "stalled",
  "sync.count.created": "created",
  "sync.count.updated": "updated",
  "sync.count.unchanged": "unchanged",
  "sync.count.deleted": "deleted",
  "sync.count.rejected": "rejected",

  // status.
  "status.processRunning": "Agent process: running (PID {pid})",
  "status.processNotRunning": "Agent process: not running on this machine",
  "status.updateNeeded": "UPDATE THE AGENT: {message} ({at})",
  "status.updateReason":
    "the API does not speak this agent's protocol ({server}); get the executable of the current " +
    "release and run `puente-agent upgrade <new executable>`",
  "status.waitingForApi":
    "API: waiting for the API since {since} ({reason}); gives up at {givesUpAt}",
  "status.noUnfinished": "Unfinished runs: none",
  "status.unfinished": "Unfinished run: {runId} {source} {status} since {since}",
  "status.run.interrupted": "interrupted",
  "status.run.paused": "paused",

  // config.
  "config.noEnvFile": "(none found)",
  "config.source.environment": "environment",
  "config.source.dotenv": ".env",
  "config.source.default": "default",
  "config.source.notSet": "not set",

  // init.
  "init.q.PUENTE_API_URL": "Puente API URL (…/functions/v1/sync)",
  "init.q.PUENTE_AGENT_KEY": "Agent key (from the panel)",
  "init.q.PUENTE_AGENT_ID": "Agent id (from the panel)",
  "init.q.FERRAWIN_HOST":
    "FerraWin SQL Server host, or HOST\\INSTANCE for a named instance (needs the SQL Server Browser service) (empty: no FerraWin)",
  "init.q.FERRAWIN_PORT":
    "FerraWin SQL Server port (empty: 1433, or SQL Browser's for HOST\\INSTANCE)",
  "init.q.FERRAWIN_DATABASE": "FerraWin database",
  "init.q.FERRAWIN_USERNAME": "FerraWin SQL login",
  "init.q.FERRAWIN_PASSWORD": "FerraWin SQL password",
  "init.q.FERRAWIN_ENCRYPT": "Encrypt the SQL Server connection (true/false)",
  "init.q.WISPRO_API_TOKEN": "Wispro API token (empty: no Wispro)",
  "init.q.WISPRO_API_URL": "Wispro API URL",
  "init.q.PUSHER_APP_KEY": "Pusher app key",
  "init.q.PUSHER_APP_CLUSTER": "Pusher cluster",
  "init.q.PUSHER_HOST": "Self-hosted Pusher host (empty: Pusher's cluster)",
  "init.q.PUSHER_PORT": "Self-hosted Pusher port",
  "init.q.PUSHER_USE_TLS": "Use TLS for Pusher (true/false)",
  "init.required": "{variable} is required: pass --{flag} <value>",
  "init.exists": "{path} already exists: pass --force to overwrite it",
  "init.restrictFailed":
    "wrote {path}, but could not restrict its folder ({detail}): run init as administrator",
  "init.wroteWindows":
    "wrote {path} (its folder is restricted to SYSTEM and Administrators). Next: puente-agent doctor",
  "init.wroteUnix": "wrote {path} (permissions 0600). Next: puente-agent doctor",

  // service.
  "service.unknownAction": 'unknown action "{action}": use install, uninstall, start or stop',
  "service.unknownUser": "cannot tell which user uid {uid} is: pass --user NAME",
  "service.commandFailed": "`{command}` failed with exit code {code}",
  "service.savedAsUtf16": "saved as UTF-16",
  "service.unknownPlatform": 'unsupported platform "{platform}": use linux or windows',
  "service.refuseLinux": "refusing to install a root service that others can change:\n{problems}",
  "service.noSystemctl": "systemctl was not found: here is the unit to install by hand.",
  "service.cannotWrite": "cannot write {path}: run it as root (sudo puente-agent service install)",
  "service.wrote": "wrote {path}",
  "service.installedLinux": "installed: follow it with `journalctl -u {name} -f`",
  "service.removed": "removed {name}",
  "service.aclUnreadable": "cannot read the permissions of {file}: {detail}",
  "service.writableBy": "{file} can be changed by {writers}",
  "service.refuseWindows":
    "refusing to install a SYSTEM task whose files others can change:\n{problems}\n" +
    "Install it in a folder under %ProgramFiles% (e.g. C:\\Program Files\\Puente) and run this as " +
    "administrator.",
  "service.installedWindows":
    'installed the scheduled task "{name}" (starts at boot, and again within a minute if it stops)',
  "service.stopTimeout": "the agent did not stop in time: ending it",
  "service.removedTask": 'removed the scheduled task "{name}"',
  "service.stopped": 'stopped "{name}" (`puente-agent service start` starts it again)',

  // upgrade.
  "upgrade.notInstalled":
    "puente-agent upgrade: run it from the installed executable, or pass --installed PATH",
  "upgrade.serviceFailed": "service {action} failed (exit {code})",
  "upgrade.refused": "puente-agent upgrade: {reason}; nothing was changed",
  "upgrade.missing": "{path} does not exist",
  "upgrade.notInstalledAt": "{path} is not installed",
  "upgrade.sameFile": "{path} is the installed executable itself",
  "upgrade.notAgent":
    "{path} is not a puente-agent executable for this machine (`version` did not run)",
  "upgrade.unknownVersion": "(unknown)",
  "upgrade.copyDoesNotRun": "the copied executable does not run ({detail})",
  "upgrade.upgrading": "upgrading {installed}\n  from {from}\n  to   {to}",
  "upgrade.stopping": "stopping the service (the active run pauses and resumes after the upgrade)…",
  "upgrade.failed": "upgrade failed: {reason}; the previous executable is back",
  "upgrade.starting": "starting the service…",
  "upgrade.done": "upgraded to {version}; the previous executable is kept as {backup}",

  // doctor.
  "doctor.check.Configuration": "Configuration",
  "doctor.check.Clock": "Clock",
  "doctor.check.API reachable": "API reachable",
  "doctor.check.Agent key": "Agent key",
  "doctor.check.SQL Server": "SQL Server",
  "doctor.check.Wispro": "Wispro",
  "doctor.check.Pusher": "Pusher",
  "doctor.check.Transport": "Transport {what}",
  "doctor.clock.noDate": "the API sent no Date header to compare with",
  "doctor.clock.ahead": "{seconds} s ahead of the API",
  "doctor.clock.behind": "{seconds} s behind the API",
  "doctor.clock.fix": "set this computer's clock automatically (NTP / Windows time service)",
  "doctor.noAnswer": "{what}: no answer in {seconds} s",
  "doctor.api.answered": "GET /health answered {status}",
  "doctor.api.fixPath": "check that PUENTE_API_URL ends with /functions/v1/sync",
  "doctor.api.fixNetwork": "check PUENTE_API_URL and this computer's internet connection",
  "doctor.key.skipped": "the API is not reachable",
  "doctor.key.accepted": "accepted by the API",
  "doctor.key.fix": "create a new key in the panel and run `puente-agent init --agent-key <key>`",
  "doctor.sql.notConfigured": "FerraWin is not configured (FERRAWIN_HOST)",
  "doctor.sql.ok": "logged in to {where}",
  "doctor.sql.fix":
    "check FERRAWIN_HOST (HOST\\INSTANCE: the SQL Server Browser service and the TCP/IP " +
    "protocol), FERRAWIN_PORT, FERRAWIN_AUTH/FERRAWIN_DOMAIN, FERRAWIN_USERNAME, FERRAWIN_PASSWORD " +
    "(18456: mixed-mode authentication), FERRAWIN_ENCRYPT, FERRAWIN_TLS_MIN_VERSION",
  "doctor.wispro.notConfigured": "not configured (WISPRO_API_TOKEN)",
  "doctor.wispro.ok": "token accepted by {url} ({count} customers)",
  "doctor.wispro.fixToken": "create a token in Wispro and run `puente-agent init --force`",
  "doctor.wispro.fix": "check WISPRO_API_URL and WISPRO_API_TOKEN",
  "doctor.pusher.notConfigured":
    "not configured: commands arrive only by polling every {seconds} s",
  "doctor.pusher.fixConfigure":
    "set PUSHER_APP_KEY (and PUSHER_HOST / PUSHER_PORT for a self-hosted server)",
  "doctor.pusher.noAgentId":
    "PUENTE_AGENT_ID is not set, so the agent cannot subscribe to its channel",
  "doctor.pusher.fixAgentId":
    "copy the agent id from the panel: `puente-agent init --agent-id <id>`",
  "doctor.pusher.state": "the connection is {state}",
  "doctor.pusher.refused": "subscription refused: {detail}",
  "doctor.pusher.ok": "connected and subscribed {channel}",
  "doctor.pusher.fix":
    "check PUSHER_APP_KEY, PUSHER_APP_CLUSTER or PUSHER_HOST/PUSHER_PORT/PUSHER_USE_TLS, and that " +
    "outbound WebSocket connections are allowed",
  "doctor.transport.https": "https (TLS, certificate verified)",
  "doctor.transport.loopback":
    "plain http, accepted only because the address is loopback (this machine)",
  "doctor.transport.fixHttp":
    "use https:// for anything that leaves this machine; http:// is refused there",
  "doctor.transport.sqlPlain":
    "not encrypted (FERRAWIN_ENCRYPT=false): anyone on the LAN can read the planillas, and the " +
    "login is protected only by an unverified TLS handshake",
  "doctor.transport.fixSqlPlain": "give SQL Server a certificate and set FERRAWIN_ENCRYPT=true",
  "doctor.transport.sqlUnverified":
    "encrypted, but the certificate is NOT verified (FERRAWIN_TRUST_SERVER_CERTIFICATE=true): " +
    "someone on the LAN can pose as the server and read the SQL password",
  "doctor.transport.fixSqlUnverified":
    "install a certificate this PC trusts on SQL Server and remove " +
    "FERRAWIN_TRUST_SERVER_CERTIFICATE (it defaults to false when encrypting)",
  "doctor.transport.sqlOk": "encrypted, certificate verified",
  "doctor.config.fix": "run `puente-agent init` or edit the .env file",
  "doctor.config.ok": "read {envFile}, API {api}",
  "doctor.failed": "{count} check(s) failed.",
  "doctor.passed": "All checks passed.",
  "doctor.net.dns": "DNS: {host} does not resolve",
  "doctor.net.fixDns": "check the host name in the URL and this PC's DNS (nslookup {host})",
  "doctor.net.tls": "TLS: the certificate {host} presented is not trusted by this PC",
  "doctor.net.fixTls":
    "an antivirus or firewall that inspects HTTPS must have its CA in the Windows certificate " +
    "store (the agent trusts that store); or exclude this host from inspection",
  "doctor.net.proxyRefused": "refused through the proxy {proxy}",
  "doctor.net.proxyNoAnswer": "no answer through the proxy {proxy}",
  "doctor.net.fixProxy": "check the proxy address {proxy}, or that it allows {host}",
  "doctor.net.refused": "connection refused by {host}",
  "doctor.net.noAnswer": "no answer from {host}",
  "doctor.net.fixDirect":
    "check the URL and port; if this network only goes out through a proxy, set PUENTE_PROXY in " +
    "the .env (the service runs as SYSTEM, which does not see a user's proxy)",
} as const;

export type MessageKey = keyof typeof en;

export const es: Record<MessageKey, string> = {
  "help.intro": "puente-agent: sincroniza FerraWin y Wispro con Puente cuando el panel lo pide.",
  "help.usage": "Uso: {usage}",
  "help.commands": "Comandos:",
  "help.options": "Opciones:",
  "help.more": "Ejecuta `puente-agent <comando> --help` para ver las opciones de un comando.",
  "help.config":
    "La configuración sale del entorno y de un archivo .env (`puente-agent init` escribe uno).",
  "help.language": "Idioma: --lang es|en, o PUENTE_LANG; español por defecto.",
  "help.unknownCommand": 'comando desconocido "{command}"',
  "help.missingArgument": "falta un argumento",
  "help.unknownOption": "opción desconocida {option}",
  "help.unexpectedArgument": 'argumento inesperado "{argument}"',
  "help.common.help": "muestra esta ayuda",
  "help.common.env-file":
    "lee la configuración de este archivo .env (por defecto ./.env y luego el que está junto al ejecutable)",
  "help.common.lang": "idioma de los mensajes: es (por defecto) o en",
  "help.common.json": "muestra el resultado en JSON",
  "help.common.platform": "linux o windows (por defecto, la de este equipo)",
  "help.run.summary":
    "ejecuta el agente: espera órdenes del panel, sincroniza e informa (lo que ejecuta el servicio)",
  "help.run.details":
    "Mantiene una conexión en tiempo real con Pusher, reclama las órdenes con cada aviso, con cada\n" +
    "reconexión y cada 30 s (lo que también arranca las programaciones del panel), envía un latido\n" +
    "cada 15 s y reanuda su propia ejecución si se cayó.\n" +
    "SIGINT / SIGTERM pausan la ejecución activa (se reanuda al volver a arrancar) y salen.",
  "help.run.quiet": "no repite el registro en la terminal",
  "help.sync.summary": "sincroniza una vez desde esta terminal, con barra de progreso y resumen",
  "help.sync.details": "Ejemplos:\n" +
    "  puente-agent sync ferrawin                      planillas nuevas y modificadas\n" +
    "  puente-agent sync ferrawin --mode year --year 2025 --from-code 2025-4000\n" +
    "  puente-agent sync ferrawin --mode one --code 2026-886\n" +
    "  puente-agent sync wispro                        todos los clientes\n" +
    "Ctrl-C cancela la ejecución al terminar el lote en curso; un segundo Ctrl-C sale al instante.",
  "help.sync.mode": "FerraWin: incremental (por defecto), year, one o all; Wispro: full",
  "help.sync.year": "con --mode year: el año (ZCONTA)",
  "help.sync.from-code": "con --mode year: empieza en este código y baja (incluido)",
  "help.sync.code": "con --mode one: la planilla, p. ej. 2026-886",
  "help.sync.json": "muestra el resumen final en JSON en lugar de una tabla",
  "help.status.summary":
    "muestra la configuración, si hay un agente en marcha aquí y las ejecuciones sin terminar",
  "help.config.summary":
    "muestra la configuración que usará el agente, de dónde sale cada valor, con los secretos ocultos",
  "help.config.details":
    "Orígenes: entorno (manda), .env, valor por defecto. Funciona aunque falte algún valor.",
  "help.doctor.summary":
    "comprueba la configuración, SQL Server, la API y su clave, Pusher y el reloj",
  "help.doctor.details":
    "Muestra una línea ✔ o ✘ por comprobación con qué corregir; sale con 1 si alguna falla.",
  "help.doctor.timeout": "segundos de espera para cada comprobación (por defecto 10)",
  "help.init.summary":
    "escribe el archivo .env con opciones, stdin o preguntas (solo lo lee la cuenta del servicio)",
  "help.init.details":
    "Pregunta cada valor que no se pase como opción si la terminal es interactiva; los secretos\n" +
    "no se muestran. Usa --yes para aceptar los valores por defecto sin preguntas, y --stdin para\n" +
    "leer líneas CLAVE=valor (p. ej. PUENTE_AGENT_KEY=…) de la entrada estándar, así los secretos\n" +
    "no quedan en la línea de comandos ni en el historial.",
  "help.init.output":
    "dónde escribir (por defecto .env junto al ejecutable, o ./.env desde el código fuente)",
  "help.init.force": "sobrescribe un archivo existente",
  "help.init.yes": "no pregunta; usa solo las opciones y los valores por defecto",
  "help.init.stdin":
    "lee líneas CLAVE=valor (los nombres del .env) de la entrada estándar; las opciones mandan",
  "help.init.api-url": "PUENTE_API_URL, p. ej. https://<proyecto>.supabase.co/functions/v1/sync",
  "help.init.agent-key": "PUENTE_AGENT_KEY (del panel)",
  "help.init.agent-id": "PUENTE_AGENT_ID (del panel)",
  "help.init.pusher-host": "PUSHER_HOST (solo para un servidor propio)",
  "help.service.summary":
    "instala, quita, arranca o detiene el agente como servicio (systemd en Linux, una tarea en Windows)",
  "help.service.details":
    "Linux: escribe /etc/systemd/system/<nombre>.service y lo habilita (necesita root).\n" +
    "Windows: crea una tarea programada que se ejecuta como SYSTEM al arrancar y cada minuto (un\n" +
    "agente a la vez), así un agente caído vuelve en menos de un minuto. `stop` deshabilita la tarea\n" +
    "y deja que el agente pause su ejecución (se reanuda con `start`); Windows lo termina solo si no\n" +
    "se detuvo en 2 min.\n" +
    "--print muestra lo que se escribiría y ejecutaría, sin cambiar nada.",
  "help.service.print": "muestra la unidad / los comandos en lugar de instalar",
  "help.service.name":
    'nombre del servicio (por defecto "Puente Agent" en Windows, puente-agent en Linux)',
  "help.service.user": "Linux: el usuario con el que corre el servicio (por defecto, el actual)",
  "help.upgrade.summary":
    "reemplaza el agente instalado por un ejecutable nuevo y reinicia su servicio",
  "help.upgrade.details":
    "Comprueba que el archivo nuevo funciona, detiene el servicio (la ejecución activa se pausa),\n" +
    "renombra el ejecutable instalado a .old, pone el nuevo en su lugar, lo comprueba y arranca el\n" +
    "servicio; ante cualquier fallo vuelve a poner el ejecutable anterior. Ejecútalo desde el\n" +
    "ejecutable instalado, como administrador (Windows) o root (Linux).",
  "help.upgrade.name":
    'el nombre del servicio (por defecto "Puente Agent" en Windows, puente-agent en Linux)',
  "help.upgrade.installed": "el ejecutable que se reemplaza (por defecto, este)",
  "help.upgrade.no-service": "no detiene ni arranca el servicio (no está instalado)",
  "help.version.summary": "muestra la versión del agente",

  "main.seeHelp": "Ejecuta `puente-agent {command} --help`.",
  "main.notImplemented": 'el comando "{command}" no está implementado',
  "main.badLang": 'idioma desconocido "{lang}": usa es o en',

  "error.agentKeyInvalid":
    "la API rechazó la clave del agente (401): es incorrecta o fue revocada. Crea una clave nueva " +
    "para este agente en el panel (Agentes → Nueva clave), ejecuta `puente-agent init --agent-key " +
    "<clave>` o define PUENTE_AGENT_KEY, y reinicia el agente.",
  "error.agentOutdated":
    "actualiza el agente: la API ya no habla el protocolo de este agente ({server}). Descarga el " +
    "ejecutable de la versión actual y ejecuta `puente-agent upgrade <ejecutable nuevo>` en este PC.",
  "error.configInvalid":
    "la configuración del agente no es válida:\n{problems}\nCorrígela en el archivo .env " +
    "(puente-agent init escribe uno) o en el entorno.",
  "error.edgeUnavailable":
    "la API de Puente no respondió a {route} ({detail}). Revisa PUENTE_API_URL y la conexión a " +
    "internet; el agente reintenta por su cuenta.",
  "error.ingestRejected": "el servidor rechazó {route} ({status} {code}): {detail}",
  "error.lockHeld":
    "ya hay otro puente-agent (PID {pid}) en marcha en este equipo (bloqueo {path}). Detenlo " +
    "primero o espera a que termine su ejecución.",
  "error.runNotRunning":
    "la ejecución ya no está en curso ({server}): se canceló, se pausó o se marcó como detenida " +
    "desde el panel o por otro proceso. Iníciala o reanúdala desde el panel.",
  "error.runAlreadyRunning":
    "ya hay otra ejecución de este agente en curso ({server}). Espera a que termine, o páusala o " +
    "cancélala desde el panel.",
  "error.sourceUnavailable": "{source} no está disponible: {detail}",

  "sync.unknownSource": 'origen desconocido "{source}": usa ferrawin o wispro',
  "sync.flagNotForMode": "--{flag} solo sirve con --mode {mode}",
  "sync.yearNeedsYear": " (--mode year necesita --year)",
  "sync.oneNeedsCode": " (--mode one necesita --code)",
  "sync.cancelling": "cancelando al terminar el lote en curso (Ctrl-C otra vez para salir ya)",
  "sync.summaryRun": "Ejecución {runId}: {status} en {elapsed}",
  "sync.summaryProcessed": "Procesados {done}",
  "sync.summaryOf": " de {total}",
  "sync.summaryError": "Error ({code}): {message}",
  "sync.status.queued": "en cola",
  "sync.status.running": "en curso",
  "sync.status.paused": "pausada",
  "sync.status.completed": "completada",
  "sync.status.failed": "fallida",
  "sync.status.cancelled": "cancelada",
  "sync.status.stalled": "detenida",
  "sync.count.created": "creados",
  "sync.count.updated": "actualizados",
  "sync.count.unchanged": "sin cambios",
  "sync.count.deleted": "borrados",
  "sync.count.rejected": "rechazados",

  "status.processRunning": "Proceso del agente: en marcha (PID {pid})",
  "status.processNotRunning": "Proceso del agente: no está en marcha en este equipo",
  "status.updateNeeded": "ACTUALIZA EL AGENTE: {message} ({at})",
  "status.updateReason":
    "la API no habla el protocolo de este agente ({server}); descarga el ejecutable de la versión " +
    "actual y ejecuta `puente-agent upgrade <ejecutable nuevo>`",
  "status.waitingForApi":
    "API: esperando a la API desde {since} ({reason}); se rinde a las {givesUpAt}",
  "status.noUnfinished": "Ejecuciones sin terminar: ninguna",
  "status.unfinished": "Ejecución sin terminar: {runId} {source} {status} desde {since}",
  "status.run.interrupted": "interrumpida",
  "status.run.paused": "pausada",

  "config.noEnvFile": "(no se encontró)",
  "config.source.environment": "entorno",
  "config.source.dotenv": ".env",
  "config.source.default": "por defecto",
  "config.source.notSet": "sin definir",

  "init.q.PUENTE_API_URL": "URL de la API de Puente (…/functions/v1/sync)",
  "init.q.PUENTE_AGENT_KEY": "Clave del agente (del panel)",
  "init.q.PUENTE_AGENT_ID": "Id del agente (del panel)",
  "init.q.FERRAWIN_HOST":
    "Servidor SQL Server de FerraWin, o SERVIDOR\\INSTANCIA para una instancia con nombre (necesita el servicio SQL Server Browser) (vacío: sin FerraWin)",
  "init.q.FERRAWIN_PORT":
    "Puerto de SQL Server de FerraWin (vacío: 1433, o el de SQL Browser para SERVIDOR\\INSTANCIA)",
  "init.q.FERRAWIN_DATABASE": "Base de datos de FerraWin",
  "init.q.FERRAWIN_USERNAME": "Usuario SQL de FerraWin",
  "init.q.FERRAWIN_PASSWORD": "Contraseña SQL de FerraWin",
  "init.q.FERRAWIN_ENCRYPT": "Cifrar la conexión con SQL Server (true/false)",
  "init.q.WISPRO_API_TOKEN": "Token de la API de Wispro (vacío: sin Wispro)",
  "init.q.WISPRO_API_URL": "URL de la API de Wispro",
  "init.q.PUSHER_APP_KEY": "Clave de la app de Pusher",
  "init.q.PUSHER_APP_CLUSTER": "Clúster de Pusher",
  "init.q.PUSHER_HOST": "Servidor Pusher propio (vacío: el clúster de Pusher)",
  "init.q.PUSHER_PORT": "Puerto del servidor Pusher propio",
  "init.q.PUSHER_USE_TLS": "Usar TLS con Pusher (true/false)",
  "init.required": "{variable} es obligatorio: pasa --{flag} <valor>",
  "init.exists": "{path} ya existe: pasa --force para sobrescribirlo",
  "init.restrictFailed":
    "se escribió {path}, pero no se pudo restringir su carpeta ({detail}): ejecuta init como administrador",
  "init.wroteWindows":
    "se escribió {path} (su carpeta queda restringida a SYSTEM y Administradores). Siguiente paso: puente-agent doctor",
  "init.wroteUnix": "se escribió {path} (permisos 0600). Siguiente paso: puente-agent doctor",

  "service.unknownAction": 'acción desconocida "{action}": usa install, uninstall, start o stop',
  "service.unknownPlatform": 'plataforma no admitida "{platform}": usa linux o windows',
  "service.unknownUser": "no se sabe qué usuario es el uid {uid}: pasa --user NOMBRE",
  "service.commandFailed": "`{command}` falló con el código de salida {code}",
  "service.savedAsUtf16": "guardado como UTF-16",
  "service.refuseLinux":
    "no se instala un servicio de root que otros pueden modificar:\n{problems}",
  "service.noSystemctl": "no se encontró systemctl: esta es la unidad para instalarla a mano.",
  "service.cannotWrite":
    "no se puede escribir {path}: ejecútalo como root (sudo puente-agent service install)",
  "service.wrote": "se escribió {path}",
  "service.installedLinux": "instalado: síguelo con `journalctl -u {name} -f`",
  "service.removed": "se quitó {name}",
  "service.aclUnreadable": "no se pueden leer los permisos de {file}: {detail}",
  "service.writableBy": "{writers} pueden modificar {file}",
  "service.refuseWindows":
    "no se instala una tarea de SYSTEM cuyos archivos otros pueden modificar:\n{problems}\n" +
    "Instálalo en una carpeta dentro de %ProgramFiles% (p. ej. C:\\Program Files\\Puente) y " +
    "ejecuta esto como administrador.",
  "service.installedWindows":
    'se instaló la tarea programada "{name}" (arranca con el equipo, y de nuevo en menos de un minuto si se detiene)',
  "service.stopTimeout": "el agente no se detuvo a tiempo: se termina",
  "service.removedTask": 'se quitó la tarea programada "{name}"',
  "service.stopped": 'se detuvo "{name}" (`puente-agent service start` lo vuelve a arrancar)',

  "upgrade.notInstalled":
    "puente-agent upgrade: ejecútalo desde el ejecutable instalado, o pasa --installed RUTA",
  "upgrade.serviceFailed": "service {action} falló (código {code})",
  "upgrade.refused": "puente-agent upgrade: {reason}; no se cambió nada",
  "upgrade.missing": "{path} no existe",
  "upgrade.notInstalledAt": "{path} no está instalado",
  "upgrade.sameFile": "{path} es el propio ejecutable instalado",
  "upgrade.notAgent":
    "{path} no es un ejecutable de puente-agent para este equipo (`version` no se ejecutó)",
  "upgrade.unknownVersion": "(desconocida)",
  "upgrade.copyDoesNotRun": "el ejecutable copiado no funciona ({detail})",
  "upgrade.upgrading": "actualizando {installed}\n  de {from}\n  a  {to}",
  "upgrade.stopping":
    "deteniendo el servicio (la ejecución activa se pausa y se reanuda tras la actualización)…",
  "upgrade.failed": "la actualización falló: {reason}; el ejecutable anterior está de vuelta",
  "upgrade.starting": "arrancando el servicio…",
  "upgrade.done": "actualizado a {version}; el ejecutable anterior se guarda como {backup}",

  "doctor.check.Configuration": "Configuración",
  "doctor.check.Clock": "Reloj",
  "doctor.check.API reachable": "API accesible",
  "doctor.check.Agent key": "Clave del agente",
  "doctor.check.SQL Server": "SQL Server",
  "doctor.check.Wispro": "Wispro",
  "doctor.check.Pusher": "Pusher",
  "doctor.check.Transport": "Transporte {what}",
  "doctor.clock.noDate": "la API no envió una cabecera Date con la que comparar",
  "doctor.clock.ahead": "{seconds} s por delante de la API",
  "doctor.clock.behind": "{seconds} s por detrás de la API",
  "doctor.clock.fix":
    "pon la hora de este equipo en automático (NTP / servicio de hora de Windows)",
  "doctor.noAnswer": "{what}: sin respuesta en {seconds} s",
  "doctor.api.answered": "GET /health respondió {status}",
  "doctor.api.fixPath": "revisa que PUENTE_API_URL termine en /functions/v1/sync",
  "doctor.api.fixNetwork": "revisa PUENTE_API_URL y la conexión a internet de este equipo",
  "doctor.key.skipped": "la API no está accesible",
  "doctor.key.accepted": "aceptada por la API",
  "doctor.key.fix":
    "crea una clave nueva en el panel y ejecuta `puente-agent init --agent-key <clave>`",
  "doctor.sql.notConfigured": "FerraWin no está configurado (FERRAWIN_HOST)",
  "doctor.sql.ok": "sesión iniciada en {where}",
  "doctor.sql.fix":
    "revisa FERRAWIN_HOST (SERVIDOR\\INSTANCIA: el servicio SQL Server Browser y el protocolo " +
    "TCP/IP), FERRAWIN_PORT, FERRAWIN_AUTH/FERRAWIN_DOMAIN, FERRAWIN_USERNAME, FERRAWIN_PASSWORD " +
    "(18456: autenticación en modo mixto), FERRAWIN_ENCRYPT, FERRAWIN_TLS_MIN_VERSION",
  "doctor.wispro.notConfigured": "no configurado (WISPRO_API_TOKEN)",
  "doctor.wispro.ok": "{url} aceptó el token ({count} clientes)",
  "doctor.wispro.fixToken": "crea un token en Wispro y ejecuta `puente-agent init --force`",
  "doctor.wispro.fix": "revisa WISPRO_API_URL y WISPRO_API_TOKEN",
  "doctor.pusher.notConfigured":
    "no configurado: las órdenes solo llegan consultando cada {seconds} s",
  "doctor.pusher.fixConfigure":
    "define PUSHER_APP_KEY (y PUSHER_HOST / PUSHER_PORT para un servidor propio)",
  "doctor.pusher.noAgentId":
    "PUENTE_AGENT_ID no está definido, así que el agente no puede suscribirse a su canal",
  "doctor.pusher.fixAgentId":
    "copia el id del agente desde el panel: `puente-agent init --agent-id <id>`",
  "doctor.pusher.state": "la conexión está {state}",
  "doctor.pusher.refused": "suscripción rechazada: {detail}",
  "doctor.pusher.ok": "conectado y suscrito a {channel}",
  "doctor.pusher.fix":
    "revisa PUSHER_APP_KEY, PUSHER_APP_CLUSTER o PUSHER_HOST/PUSHER_PORT/PUSHER_USE_TLS, y que " +
    "se permitan conexiones WebSocket salientes",
  "doctor.transport.https": "https (TLS, certificado verificado)",
  "doctor.transport.loopback":
    "http sin cifrar, aceptado solo porque la dirección es local (este equipo)",
  "doctor.transport.fixHttp":
    "usa https:// para todo lo que salga de este equipo; ahí http:// se rechaza",
  "doctor.transport.sqlPlain":
    "sin cifrar (FERRAWIN_ENCRYPT=false): cualquiera en la red local puede leer las planillas, y " +
    "el inicio de sesión solo lo protege un intercambio TLS sin verificar",
  "doctor.transport.fixSqlPlain": "dale un certificado a SQL Server y define FERRAWIN_ENCRYPT=true",
  "doctor.transport.sqlUnverified":
    "cifrado, pero el certificado NO se verifica (FERRAWIN_TRUST_SERVER_CERTIFICATE=true): " +
    "alguien en la red local puede hacerse pasar por el servidor y leer la contraseña SQL",
  "doctor.transport.fixSqlUnverified":
    "instala en SQL Server un certificado en el que este PC confíe y quita " +
    "FERRAWIN_TRUST_SERVER_CERTIFICATE (por defecto es false al cifrar)",
  "doctor.transport.sqlOk": "cifrado, certificado verificado",
  "doctor.config.fix": "ejecuta `puente-agent init` o edita el archivo .env",
  "doctor.config.ok": "leído {envFile}, API {api}",
  "doctor.failed": "{count} comprobación(es) fallaron.",
  "doctor.passed": "Todas las comprobaciones pasaron.",
  "doctor.net.dns": "DNS: {host} no se resuelve",
  "doctor.net.fixDns":
    "revisa el nombre del servidor en la URL y el DNS de este PC (nslookup {host})",
  "doctor.net.tls": "TLS: este PC no confía en el certificado que presentó {host}",
  "doctor.net.fixTls":
    "un antivirus o cortafuegos que inspecciona HTTPS debe tener su CA en el almacén de " +
    "certificados de Windows (el agente confía en ese almacén); o excluye este servidor de la inspección",
  "doctor.net.proxyRefused": "rechazado a través del proxy {proxy}",
  "doctor.net.proxyNoAnswer": "sin respuesta a través del proxy {proxy}",
  "doctor.net.fixProxy": "revisa la dirección del proxy {proxy}, o que permita {host}",
  "doctor.net.refused": "{host} rechazó la conexión",
  "doctor.net.noAnswer": "sin respuesta de {host}",
  "doctor.net.fixDirect":
    "revisa la URL y el puerto; si esta red solo sale a través de un proxy, define PUENTE_PROXY en " +
    "el .env (el servicio corre como SYSTEM, que no ve el proxy de un usuario)",
};

export const catalogues = { en, es } as const;
