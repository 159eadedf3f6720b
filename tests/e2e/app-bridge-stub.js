/*
 * Stands in for https://cdn.shopify.com/shopifycloud/app-bridge.js in the end-to-end tests
 * (served by tests/e2e/harness.ts through page.route; the real script cannot be fetched offline,
 * and outside Shopify's admin frame it would only redirect to the admin).
 *
 * It does for the app what App Bridge 4 does and nothing more:
 * - `window.shopify` with idToken() (a session token signed by the test process with the app's
 *   test secret, through the exposed function __tokuiSessionToken), toast, saveBar, loading,
 *   modal, config, environment;
 * - adds `Authorization: Bearer <session token>` to the app's own fetches (Remix's loader and
 *   action requests), as App Bridge does, so client-side navigation and form submits authenticate;
 * - defines the ui-title-bar, ui-nav-menu, ui-save-bar and ui-modal elements the React
 *   components render (SaveBar and Modal call show()/hide() on them). In the admin these appear
 *   in Shopify's own frame; here the title and the save bar are drawn at the top of the page so
 *   screenshots show them, toasts at the bottom. Toasts stay until the next one.
 * Anything else the app asks of `shopify` is reported with console.error, which fails the test.
 */
/* global window, document, location, customElements, HTMLElement, Headers, Request, URL, URLSearchParams, console */
(() => {
  const script = document.currentScript;
  const params = new URLSearchParams(location.search);
  const locale = (params.get("locale") || "").toLowerCase().startsWith("ja") ? "ja" : "en";
  const words = locale === "ja" ? { save: "保存", discard: "破棄", unsaved: "未保存の変更" } : { save: "Save", discard: "Discard", unsaved: "Unsaved changes" };

  // A constructed style sheet, not a <style> node: React hydrates the whole document and must
  // find exactly the server's markup.
  const style = new window.CSSStyleSheet();
  style.replaceSync(`
    ui-nav-menu { display: none; }
    ui-title-bar { display: block; padding: 12px 0 4px; font: 600 20px/28px system-ui, sans-serif; }
    ui-title-bar::before { content: attr(title); }
    ui-title-bar > * { display: none; }
    ui-save-bar { display: none; }
    ui-save-bar[data-open] { display: flex; gap: 8px; align-items: center; position: fixed; inset: 0 0 auto 0; z-index: 1000;
      height: 48px; box-sizing: border-box; padding: 0 16px; background: #1a1a1a; color: #fff; font: 600 14px system-ui, sans-serif; }
    /* The admin draws its save bar outside the app's frame: make room instead of covering the page. */
    body:has(ui-save-bar[data-open]) { padding-top: 48px; }
    ui-save-bar[data-open]::before { content: "${words.unsaved}"; flex: 1; }
    ui-save-bar button { padding: 4px 12px; border-radius: 8px; border: 1px solid #888; background: #333; color: #fff; }
    ui-save-bar button[variant="primary"] { background: #fff; color: #1a1a1a; }
    ui-save-bar button:empty::after { content: "${words.discard}"; }
    ui-save-bar button[variant="primary"]:empty::after { content: "${words.save}"; }
    ui-modal { display: none; }
    ui-modal[data-open] { display: block; position: fixed; inset: 10% 20%; z-index: 1001; background: #fff; border: 1px solid #888; overflow: auto; }
    #tokui-e2e-toasts { position: fixed; bottom: 16px; left: 50%; transform: translateX(-50%); z-index: 1002; display: grid; gap: 8px; }
    #tokui-e2e-toasts > div { padding: 8px 16px; border-radius: 8px; background: #1a1a1a; color: #fff; font: 14px system-ui, sans-serif; }
  `);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, style];

  /** Show/hide like App Bridge's elements: an attribute, and show/hide events for onShow/onHide. */
  class Toggled extends HTMLElement {
    show() {
      if (this.hasAttribute("data-open")) return;
      this.setAttribute("data-open", "");
      this.dispatchEvent(new window.Event("show"));
    }
    hide() {
      if (!this.hasAttribute("data-open")) return;
      this.removeAttribute("data-open");
      this.dispatchEvent(new window.Event("hide"));
    }
    toggle() {
      if (this.hasAttribute("data-open")) this.hide();
      else this.show();
    }
    get showing() {
      return this.hasAttribute("data-open");
    }
  }
  class UiModal extends Toggled {
    get content() {
      let content = this.querySelector(":scope > [data-modal-content]");
      if (!content) {
        content = document.createElement("div");
        content.setAttribute("data-modal-content", "");
        this.appendChild(content);
      }
      return content;
    }
  }
  customElements.define("ui-title-bar", class extends HTMLElement {});
  customElements.define("ui-nav-menu", class extends HTMLElement {});
  customElements.define("ui-save-bar", class extends Toggled {});
  customElements.define("ui-modal", UiModal);
  const byId = (id) => {
    const element = document.getElementById(id);
    if (!element) console.error(`App Bridge stub: no element #${id}`);
    return element;
  };

  let toastIds = 0;
  window.__tokuiToasts = [];
  const toast = {
    show(message, options) {
      let box = document.getElementById("tokui-e2e-toasts");
      if (!box) {
        box = document.createElement("div");
        box.id = "tokui-e2e-toasts";
        box.setAttribute("role", "status");
        document.body.appendChild(box);
      }
      const item = document.createElement("div");
      item.textContent = String(message);
      item.dataset.id = String(++toastIds);
      box.replaceChildren(item);
      window.__tokuiToasts.push({ message: String(message), isError: Boolean(options && options.isError) });
      return item.dataset.id;
    },
    hide(id) {
      document.querySelector(`#tokui-e2e-toasts > [data-id="${id}"]`)?.remove();
    },
  };

  const api = {
    config: { apiKey: script ? script.dataset.apiKey : undefined, shop: params.get("shop"), host: params.get("host"), locale },
    environment: { embedded: true, mobile: false, pos: false },
    origin: location.origin,
    ready: Promise.resolve(),
    idToken: () => window.__tokuiSessionToken(),
    toast,
    loading: () => undefined,
    saveBar: {
      show: async (id) => byId(id)?.show(),
      hide: async (id) => byId(id)?.hide(),
      toggle: async (id) => byId(id)?.toggle(),
      leaveConfirmation: async () => undefined,
    },
    modal: {
      show: async (id) => byId(id)?.show(),
      hide: async (id) => byId(id)?.hide(),
      toggle: async (id) => byId(id)?.toggle(),
    },
  };
  window.shopify = new Proxy(api, {
    get(target, property) {
      if (property in target || typeof property === "symbol" || property === "then" || property === "toJSON") return target[property];
      console.error(`App Bridge stub: shopify.${String(property)} is not implemented (tests/e2e/app-bridge-stub.js)`);
      return undefined;
    },
  });

  // App Bridge authenticates the app's own fetches with a fresh session token.
  const nativeFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${await api.idToken()}`);
    return nativeFetch(input, { ...init, headers });
  };
})();
