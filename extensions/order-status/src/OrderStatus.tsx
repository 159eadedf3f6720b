/** @jsxImportSource preact */
// Order status page block (customer-account.order-status.block.render): the same greeting,
// progress and rewards as the thank-you page, for a customer who comes back to the order.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { PostPurchaseBlock } from "../../shared/PostPurchaseBlock";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  // `order` is undefined until Shopify has processed the order; the block waits for it.
  return (
    <PostPurchaseBlock
      orderId={shopify.order.value?.id}
      language={shopify.localization.language.value.isoCode}
      timeZone={shopify.localization.timezone.value}
      getToken={() => shopify.sessionToken.get()}
      translate={(key, replacements) => shopify.i18n.translate(key, replacements)}
    />
  );
}
