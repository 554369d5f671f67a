// "Año 2025": continue after the last stored planilla, start the year again, or cancel.
import type { YearRow } from "../../api/rpc-shapes.ts";
import { formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { type Choice, ConfirmDialog } from "../../components/ConfirmDialog.tsx";

/** The dialog's choices: "continue from <last code>" only when the year has a last code. */
export function yearChoices(
  status: YearRow,
  on: { start: (fromCode: string | null) => void; close: () => void },
): Choice[] {
  const choose = (fromCode: string | null) => () => {
    on.start(fromCode);
    on.close();
  };
  return [
    ...(status.lastCode
      ? [{
        label: t("confirm.yearContinue", { lastCode: status.lastCode }),
        kind: "primary" as const,
        testId: "year-continue",
        onChoose: choose(status.lastCode),
      }]
      : []),
    {
      label: t("confirm.yearRestart"),
      kind: status.lastCode ? "secondary" : "primary",
      testId: "year-restart",
      onChoose: choose(null),
    },
    { label: t("cancel"), testId: "year-cancel", onChoose: on.close },
  ];
}

export function YearConfirmDialog(props: {
  status: YearRow;
  onStart: (fromCode: string | null) => void;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      testId="year-confirm"
      title={t("confirm.yearTitle", { year: props.status.year })}
      onClose={props.onClose}
      choices={yearChoices(props.status, { start: props.onStart, close: props.onClose })}
    >
      <p data-testid="year-confirm-body">
        {props.status.synced > 0 && props.status.lastCode
          ? t("confirm.yearBody", {
            synced: formatNumber(props.status.synced, lang()),
            year: props.status.year,
            lastCode: props.status.lastCode,
          })
          : t("confirm.yearBodyEmpty", { year: props.status.year })}
      </p>
    </ConfirmDialog>
  );
}
