/** @jsxImportSource preact */
// Thank-you page block (purchase.thank-you.block.render): the rank greeting that includes the
// order just placed, progress to the next rank, any reward this order unlocked, and the
// post-purchase survey when the shop has one.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { PostPurchaseBlock } from "../../shared/PostPurchaseBlock";
import { SurveyBlock } from "../../shared/SurveyBlock";
import { surveyAnswerEndpoint } from "../../shared/survey";

export default async () => {
  render(<Extension />, document.body);
};

function Extension() {
  // Reading `.value` while rendering subscribes, so the block follows the host's updates.
  return (
    <PostPurchaseBlock
      orderId={shopify.orderConfirmation.value?.order?.id}
      language={shopify.localization.language.value.isoCode}
      timeZone={shopify.localization.timezone.value}
      getToken={() => shopify.sessionToken.get()}
      translate={(key, replacements) => shopify.i18n.translate(key, replacements)}
      renderSurvey={(offer, { orderId, endpoint }) => (
        <SurveyBlock
          key={orderId}
          offer={offer}
          orderId={orderId}
          endpoint={surveyAnswerEndpoint(endpoint)}
          getToken={() => shopify.sessionToken.get()}
          translate={(key, replacements) => shopify.i18n.translate(key, replacements)}
        />
      )}
    />
  );
}
