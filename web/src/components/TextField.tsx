// A labelled input whose id is also its data-testid (sign-in and password forms).
export function TextField(props: {
  id: string;
  label: string;
  type: "email" | "password" | "text";
  autocomplete: string;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type}
        autocomplete={props.autocomplete}
        required
        data-testid={props.id}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </>
  );
}
