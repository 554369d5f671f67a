// A validator for Task Scheduler task XML, for the tests: the constraints of Microsoft's published
// schema (MS-TSCH §2.5 "Task Scheduler Schema", task.xsd, as documented at
// https://learn.microsoft.com/windows/win32/taskschd/task-scheduler-schema) for every element the agent
// writes, transcribed type by type: which children a type allows (xs:sequence keeps their order,
// xs:all does not), how often each may occur, and each simple type's facets (Count is an unsignedByte
// of at least 1, Interval a duration from PT1M to P31D, Priority 0–10, the enumerations). An element
// the table does not know is an error, as it is for schtasks /Create /XML.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** A small XML reader for the subset task XML uses: declaration, elements, attributes, text, entities. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const decode = (t: string) =>
    t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
      .replace(/&amp;/g, "&");
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  skipSpace();
  if (xml.startsWith("<?xml", i)) i = xml.indexOf("?>", i) + 2;
  function element(): XmlElement {
    skipSpace();
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>/.exec(xml.slice(i));
    if (!open) throw new Error(`malformed XML at offset ${i}: ${xml.slice(i, i + 30)}`);
    i += open[0].length;
    const attributes: Record<string, string> = {};
    for (const [, key, value] of open[2]!.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
      attributes[key!] = decode(value!);
    }
    const node: XmlElement = { name: open[1]!, attributes, children: [], text: "" };
    if (open[3]) return node;
    for (;;) {
      const next = xml.indexOf("<", i);
      if (next < 0) throw new Error(`<${node.name}> is never closed`);
      node.text += decode(xml.slice(i, next));
      i = next;
      if (xml.startsWith("</", i)) {
        const close = /^<\/([\w.-]+)\s*>/.exec(xml.slice(i));
        if (close?.[1] !== node.name) throw new Error(`<${node.name}> closed by ${close?.[0]}`);
        i += close[0].length;
        return node;
      }
      node.children.push(element());
    }
  }
  const root = element();
  skipSpace();
  if (i !== xml.length) throw new Error("content after the root element");
  return root;
}

type Simple = (text: string) => string | null;
interface Child {
  type: string;
  min?: number;
  max?: number;
}
interface Complex {
  /** sequence: children in this order; all: any order, each at most once; choice: any of them. */
  model: "sequence" | "all" | "choice";
  children: Record<string, Child>;
  /** For choice: how many children in all. */
  occurs?: [number, number];
  attributes?: Record<string, { required?: boolean; check?: Simple }>;
}

/** xs:duration as seconds (years and months as 365 and 30 days, enough for these bounds). */
export function durationSeconds(text: string): number | null {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
    .exec(text);
  if (!m || text === "P" || text.endsWith("T")) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  return ((((y! * 365 + mo! * 30 + d!) * 24 + h!) * 60 + mi!) * 60) + s!;
}

const duration = (min?: number, max?: number): Simple => (t) => {
  const seconds = durationSeconds(t);
  if (seconds === null) return `"${t}" is not an xs:duration`;
  if (min !== undefined && seconds < min) return `"${t}" is below the minimum`;
  if (max !== undefined && seconds > max) return `"${t}" is above the maximum`;
  return null;
};
const boolean: Simple = (t) => (/^(true|false|1|0)$/.test(t) ? null : `"${t}" is not xs:boolean`);
const integerIn = (min: number, max: number, name: string): Simple => (t) =>
  /^\d+$/.test(t) && Number(t) >= min && Number(t) <= max
    ? null
    : `"${t}" is not ${name} (${min}–${max})`;
const oneOf = (...values: string[]): Simple => (t) =>
  values.includes(t) ? null : `"${t}" is not one of ${values.join(", ")}`;
const dateTime: Simple = (t) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(t)
    ? null
    : `"${t}" is not xs:dateTime`;
const nonEmptyString: Simple = (t) => (t.length > 0 ? null : "must not be empty");
const string: Simple = () => null;
const MINUTE = 60;
const DAY = 86_400;

const SIMPLE: Record<string, Simple> = {
  boolean,
  string,
  nonEmptyString,
  dateTime,
  duration: duration(),
  // restartType/Interval and repetitionType/Interval: PT1M..P31D
  interval: duration(MINUTE, 31 * DAY),
  // repetitionType/Duration: at least PT1M
  repetitionDuration: duration(MINUTE),
  // restartType/Count: unsignedByte, minInclusive 1
  restartCount: integerIn(1, 255, "an unsignedByte of at least 1"),
  priorityType: integerIn(0, 10, "a priorityType"),
  multipleInstancesPolicyType: oneOf("Parallel", "Queue", "IgnoreNew", "StopExisting"),
  runLevelType: oneOf("LeastPrivilege", "HighestAvailable"),
  logonType: oneOf(
    "S4U",
    "Password",
    "InteractiveToken",
    "InteractiveTokenOrPassword",
    "ServiceAccount",
  ),
};

const triggerBase: Record<string, Child> = {
  Enabled: { type: "boolean" },
  StartBoundary: { type: "dateTime" },
  EndBoundary: { type: "dateTime" },
  Repetition: { type: "repetitionType" },
  ExecutionTimeLimit: { type: "duration" },
};

const COMPLEX: Record<string, Complex> = {
  taskType: {
    model: "all",
    children: {
      RegistrationInfo: { type: "registrationInfoType" },
      Triggers: { type: "triggersType" },
      Settings: { type: "settingsType" },
      Principals: { type: "principalsType" },
      Actions: { type: "actionsType", min: 1 },
    },
    attributes: { version: { check: oneOf("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6") } },
  },
  registrationInfoType: {
    model: "all",
    children: {
      URI: { type: "string" },
      Source: { type: "string" },
      Date: { type: "dateTime" },
      Author: { type: "string" },
      Version: { type: "string" },
      Description: { type: "string" },
      Documentation: { type: "string" },
    },
  },
  triggersType: {
    model: "choice",
    occurs: [0, 48],
    children: {
      BootTrigger: { type: "bootTriggerType" },
      TimeTrigger: { type: "timeTriggerType" },
    },
  },
  bootTriggerType: {
    model: "sequence",
    children: { ...triggerBase, Delay: { type: "duration" } },
    attributes: { id: {} },
  },
  timeTriggerType: {
    model: "sequence",
    // StartBoundary is optional in triggerBaseType, but Microsoft's TimeTrigger documentation requires
    // it for a time trigger (the moment it first fires), so the table does too.
    children: {
      ...triggerBase,
      StartBoundary: { type: "dateTime", min: 1 },
      RandomDelay: { type: "duration" },
    },
    attributes: { id: {} },
  },
  repetitionType: {
    model: "all",
    children: {
      Interval: { type: "interval", min: 1 },
      Duration: { type: "repetitionDuration" },
      StopAtDurationEnd: { type: "boolean" },
    },
  },
  principalsType: {
    model: "choice",
    occurs: [1, 1],
    children: { Principal: { type: "principalType" } },
  },
  principalType: {
    model: "sequence",
    children: {
      UserId: { type: "nonEmptyString" },
      LogonType: { type: "logonType" },
      GroupId: { type: "nonEmptyString" },
      DisplayName: { type: "string" },
      RunLevel: { type: "runLevelType" },
    },
    attributes: { id: {} },
  },
  settingsType: {
    model: "all",
    children: {
      AllowStartOnDemand: { type: "boolean" },
      RestartOnFailure: { type: "restartType" },
      MultipleInstancesPolicy: { type: "multipleInstancesPolicyType" },
      DisallowStartIfOnBatteries: { type: "boolean" },
      StopIfGoingOnBatteries: { type: "boolean" },
      AllowHardTerminate: { type: "boolean" },
      StartWhenAvailable: { type: "boolean" },
      NetworkProfileName: { type: "string" },
      RunOnlyIfNetworkAvailable: { type: "boolean" },
      WakeToRun: { type: "boolean" },
      Enabled: { type: "boolean" },
      Hidden: { type: "boolean" },
      DeleteExpiredTaskAfter: { type: "duration" },
      ExecutionTimeLimit: { type: "duration" },
      Priority: { type: "priorityType" },
      RunOnlyIfIdle: { type: "boolean" },
      DisallowStartOnRemoteAppSession: { type: "boolean" },
      UseUnifiedSchedulingEngine: { type: "boolean" },
    },
  },
  restartType: {
    model: "all",
    children: { Interval: { type: "interval", min: 1 }, Count: { type: "restartCount", min: 1 } },
  },
  actionsType: {
    model: "choice",
    occurs: [1, 32],
    children: { Exec: { type: "execType" } },
    attributes: { Context: {} },
  },
  execType: {
    model: "sequence",
    children: {
      Command: { type: "nonEmptyString", min: 1 },
      Arguments: { type: "string" },
      WorkingDirectory: { type: "string" },
    },
    attributes: { id: {} },
  },
};

export const TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task";

/** Every violation of the schema's constraints in `xml`; empty when it is valid. */
export function validateTaskXml(xml: string): string[] {
  const problems: string[] = [];
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    return [(error as Error).message];
  }
  if (root.name !== "Task") problems.push(`the root is <${root.name}>, not <Task>`);
  if (root.attributes.xmlns !== TASK_NAMESPACE) {
    problems.push("<Task> is not in the task namespace");
  }
  const { xmlns: _namespace, ...rootAttributes } = root.attributes;
  check({ ...root, attributes: rootAttributes }, "taskType", "/Task", problems);
  return problems;
}

function check(node: XmlElement, type: string, path: string, problems: string[]): void {
  const simple = SIMPLE[type];
  if (simple) {
    if (node.children.length) problems.push(`${path}: a simple value cannot have child elements`);
    const problem = simple(node.text.trim());
    if (problem) problems.push(`${path}: ${problem}`);
    return;
  }
  const complex = COMPLEX[type];
  if (!complex) throw new Error(`the schema table has no type ${type}`);
  if (node.text.trim()) problems.push(`${path}: unexpected text "${node.text.trim()}"`);
  for (const [name, value] of Object.entries(node.attributes)) {
    const attribute = complex.attributes?.[name];
    if (!attribute) problems.push(`${path}: attribute ${name} is not allowed`);
    else {
      const problem = attribute.check?.(value);
      if (problem) problems.push(`${path}/@${name}: ${problem}`);
    }
  }
  const names = Object.keys(complex.children);
  let lastIndex = -1;
  for (const child of node.children) {
    const index = names.indexOf(child.name);
    if (index < 0) {
      problems.push(`${path}: <${child.name}> is not allowed here`);
      continue;
    }
    if (complex.model === "sequence") {
      if (index < lastIndex) problems.push(`${path}: <${child.name}> is out of order`);
      lastIndex = index;
    }
    check(child, complex.children[child.name]!.type, `${path}/${child.name}`, problems);
  }
  if (complex.model === "choice") {
    const [min, max] = complex.occurs ?? [1, 1];
    if (node.children.length < min || node.children.length > max) {
      problems.push(`${path}: ${node.children.length} children, allowed ${min}–${max}`);
    }
    return;
  }
  for (const [name, child] of Object.entries(complex.children)) {
    const count = node.children.filter((c) => c.name === name).length;
    if (count < (child.min ?? 0)) problems.push(`${path}: <${name}> is required`);
    if (count > (child.max ?? 1)) problems.push(`${path}: <${name}> occurs ${count} times`);
  }
}
