// "¿Revocar la clave de …?": revoke or cancel.
import { t } from "../../i18n/i18n.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";

export function RevokeDialog(props: {
  agent: { id: string; name: string };
  onRevoke: (id: string) => void;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      testId="revoke-confirm"
      title={t("keys.revoke")}
      onClose={props.onClose}
      choices={[
        {
          label: t("keys.revoke"),
          kind: "danger",
          testId: "revoke-confirm-yes",
          onChoose: () => {
            const id = props.agent.id;
            props.onClose();
            props.onRevoke(id);
          },
        },
        { label: t("cancel"), testId: "revoke-confirm-cancel", onChoose: props.onClose },
      ]}
    >
      <p>{t("keys.revokeConfirm", { name: props.agent.name })}</p>
    </ConfirmDialog>
  );
}
