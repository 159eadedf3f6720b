import fs from "node:fs";

/** Debian's Chromium (apt-get install chromium); playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.TOKUI_E2E_CHROMIUM ?? "/usr/bin/chromium";

/** Throws the message CI shows when Chromium is not installed (the suite fails, it is never skipped). */
export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `The end-to-end tests drive Debian's Chromium at ${CHROMIUM}, which is missing. Install it (as root) with:\n` +
        `  apt-get install -y chromium fonts-noto-cjk\n` +
        `or point TOKUI_E2E_CHROMIUM at a Chromium binary.`,
    );
  }
}
