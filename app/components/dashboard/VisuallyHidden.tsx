import type { ReactNode } from "react";

/** Present for screen readers, invisible on screen (the usual clip pattern). */
export function VisuallyHidden({ children }: { children: ReactNode }) {
  return (
    <div
      style={{
        position: "absolute",
        width: 1,
        height: 1,
        padding: 0,
        margin: -1,
        overflow: "hidden",
        clip: "rect(0, 0, 0, 0)",
        whiteSpace: "nowrap",
        border: 0,
      }}
    >
      {children}
    </div>
  );
}
