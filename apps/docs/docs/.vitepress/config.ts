import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type DefaultTheme } from "vitepress";
import { withMermaid } from "vitepress-plugin-mermaid";
import { nodeBuiltinStubs } from "./node-stubs.js";

const generated = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
const apiSidebarFile = generated("api/typedoc-sidebar.json");
const apiSidebar: DefaultTheme.SidebarItem[] = existsSync(apiSidebarFile)
  ? (JSON.parse(readFileSync(apiSidebarFile, "utf8")) as DefaultTheme.SidebarItem[])
  : [];
const hasCli = existsSync(generated("reference/cli.md"));

const guide: DefaultTheme.SidebarItem[] = [
  { text: "Getting started", link: "/getting-started" },
  {
    text: "Theory",
    items: [{ text: "Warm-starting encoder-decoders", link: "/theory/" }],
  },
  {
    text: "Analysis",
    items: [
      { text: "The nine compositions", link: "/analysis/" },
      { text: "The paper's results", link: "/analysis/results" },
    ],
  },
  {
    text: "Practice",
    items: [
      { text: "BERT2BERT on CNN/DailyMail", link: "/practice/bert2bert-cnn-dailymail" },
      { text: "BERT2GPT2", link: "/practice/bert2gpt2" },
      { text: "RoBERTaShare", link: "/practice/roberta-share" },
      { text: "Moving models to Python and back", link: "/practice/python-interop" },
      { text: "Serving", link: "/practice/serving" },
    ],
  },
  { text: "Troubleshooting", link: "/troubleshooting" },
  { text: "In-browser demo", link: "/demo" },
];

// Each package's pages get only that package's entries: the whole API tree in every page's HTML would make
// each page hundreds of kilobytes.
const packageLinks: DefaultTheme.SidebarItem[] = apiSidebar.map(({ text, link }) => ({ text, link }));
const reference: DefaultTheme.SidebarItem[] = [
  ...(hasCli ? [{ text: "CLI", link: "/reference/cli" }] : []),
  { text: "API", link: "/api/", items: packageLinks },
];
const packageSidebars: DefaultTheme.SidebarMulti = Object.fromEntries(
  apiSidebar
    .filter((item) => item.link !== undefined)
    .map((item) => [
      item.link as string,
      [
        { text: "API", link: "/api/", items: packageLinks },
        { ...item, collapsed: false },
      ],
    ]),
);

export default withMermaid(
  defineConfig({
    title: "warmstart",
    description: "Warm-start transformer encoder-decoders from BERT, RoBERTa and GPT-2 checkpoints, in TypeScript.",
    lang: "en",
    srcExclude: ["**/_*.md"],
    lastUpdated: false,
    head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
    themeConfig: {
      nav: [
        { text: "Guide", link: "/getting-started" },
        { text: "Demo", link: "/demo" },
        ...(hasCli ? [{ text: "CLI", link: "/reference/cli" }] : []),
        { text: "API", link: "/api/" },
      ],
      sidebar: { ...packageSidebars, "/api/": reference, "/reference/": reference, "/": guide },
      search: { provider: "local" },
      outline: [2, 3],
    },
    vite: {
      plugins: [nodeBuiltinStubs()],
      build: { chunkSizeWarningLimit: 4096 },
    },
    mermaid: {},
  }),
);
