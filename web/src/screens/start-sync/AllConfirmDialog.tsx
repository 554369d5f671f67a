// "Sincronizar todo": confirm or cancel.
import { t } from "../../i18n/i18n.ts";
import { ConfirmDialog, confirmOrCancel } from "../../components/ConfirmDialog.tsx";

export function AllConfirmDialog(props: { onConfirm: () => void; onClose: () => void }) {
  return (
    <ConfirmDialog
      testId="all-confirm"
      title={t("confirm.allTitle")}
      onClose={props.onClose}
      choices={confirmOrCancel({
        label: t("confirm.allYes"),
        kind: "primary",
        testId: "all-confirm-yes",
        onConfirm: props.onConfirm,
        onClose: props.onClose,
      })}
    >
      <p>{t("confirm.allBody")}</p>
    </ConfirmDialog>
  );
}
