// "¿Revocar la clave de …?": revoke or cancel.
import { t } from "../../i18n/i18n.ts";
import { ConfirmDialog, confirmOrCancel } from "../../components/ConfirmDialog.tsx";

export function RevokeDialog(props: {
  agent: { id: string; name: string };
  onRevoke: (id: string) => void;
  onClose: () => void;
}) {
  // Read before the dialog closes: closing it unmounts this component and its props.
  const revoke = () => props.onRevoke(props.agent.id);
  return (
    <ConfirmDialog
      testId="revoke-confirm"
      title={t("keys.revoke")}
      onClose={props.onClose}
      choices={confirmOrCancel({
        label: t("keys.revoke"),
        kind: "danger",
        testId: "revoke-confirm-yes",
        onConfirm: revoke,
        onClose: props.onClose,
      })}
    >
      <p>{t("keys.revokeConfirm", { name: props.agent.name })}</p>
    </ConfirmDialog>
  );
}
