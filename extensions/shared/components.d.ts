// The <s-*> elements for editors and `tsc -p extensions/shared`: the thank-you target's set, the
// smaller one (the order status target offers all of these too). In the root typecheck each
// extension's shopify.d.ts brings its own target's set.
import '@shopify/ui-extensions/purchase.thank-you.block.render';
