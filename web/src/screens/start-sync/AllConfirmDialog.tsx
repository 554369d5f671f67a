// "Sincronizar todo": confirm or cancel.
import { t } from "../../i18n/i18n.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";

export function AllConfirmDialog(props: { onConfirm: () => void; onClose: () => void }) {
  return (
    <ConfirmDialog
      testId="all-confirm"
      title={t("confirm.allTitle")}
      onClose={props.onClose}
      choices={[
        {
          label: t("confirm.allYes"),
          kind: "primary",
          testId: "all-confirm-yes",
          onChoose: () => {
            props.onConfirm();
            props.onClose();
          },
        },
        { label: t("cancel"), testId: "all-confirm-cancel", onChoose: props.onClose },
      ]}
    >
      <p>{t("confirm.allBody")}</p>
    </ConfirmDialog>
  );
}
