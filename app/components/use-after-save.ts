import { useEffect, useRef } from "react";
import { useNavigation } from "@remix-run/react";

/**
 * Run `onSaved` once after a successful save, when the page's data has been reloaded. React
 * Router hands over the action's answer while the loaders are still revalidating: an editor
 * that reset itself from the loader data at that moment took the values from before the save
 * (and a second Save would have written them back). `onSaved` runs with the render's fresh data.
 */
export function useAfterSave(actionData: { ok: boolean } | undefined, onSaved: () => void): void {
  const navigation = useNavigation();
  const pending = useRef<object | null>(null);
  useEffect(() => {
    if (actionData?.ok) pending.current = actionData;
  }, [actionData]);
  useEffect(() => {
    if (navigation.state !== "idle" || pending.current === null) return;
    pending.current = null;
    onSaved();
  });
}
