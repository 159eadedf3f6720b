/**
 * Whole admin pages as the admin's iframe receives them: Remix's request handler over the real
 * root, the app layout and the page routes, with entry.server's streaming render — the route tree
 * the Vite build would assemble, minus the client assets (named, never fetched).
 */
import { createRequestHandler, type ServerBuild } from "@remix-run/server-runtime";
import * as entry from "~/entry.server";
import * as root from "~/root";
import * as appLayout from "~/routes/app";

export interface PageRoute {
  /** The route id as the build names it, e.g. "routes/app.survey". */
  id: string;
  /** Under /app: "survey"; undefined for the index route. */
  path?: string;
  index?: true;
  module: object;
}

/** A request handler for the app's pages `routes` (each a child of the /app layout). */
export function documentHandler(pages: PageRoute[]): (request: Request) => Promise<Response> {
  const routes = [
    { id: "root", parentId: undefined, path: "", index: undefined, module: root as object },
    { id: "routes/app", parentId: "root", path: "app", index: undefined, module: appLayout as object },
    ...pages.map((p) => ({ id: p.id, parentId: "routes/app", path: p.path, index: p.index, module: p.module })),
  ];
  const build: ServerBuild = {
    mode: "production",
    entry: { module: entry as unknown as ServerBuild["entry"]["module"] },
    routes: Object.fromEntries(routes.map((r) => [r.id, { id: r.id, parentId: r.parentId, path: r.path, index: r.index, module: r.module as never }])),
    assets: {
      entry: { module: "/assets/entry.client.js", imports: [] },
      routes: Object.fromEntries(
        routes.map((r) => [
          r.id,
          {
            id: r.id,
            parentId: r.parentId,
            path: r.path,
            index: r.index,
            hasAction: "action" in r.module,
            hasLoader: "loader" in r.module,
            hasClientAction: false,
            hasClientLoader: false,
            hasErrorBoundary: "ErrorBoundary" in r.module,
            module: `/assets/${r.id}.js`,
            imports: [],
          },
        ]),
      ),
      url: "/assets/manifest.js",
      version: "test",
    },
    publicPath: "/",
    assetsBuildDirectory: "build/client",
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_lazyRouteDiscovery: true, v3_singleFetch: false },
    isSpaMode: false,
  };
  const handle = createRequestHandler(build, "production");
  return (request) => handle(request);
}
