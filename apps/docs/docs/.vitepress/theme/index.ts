import DefaultTheme from "vitepress/theme";
import type { Theme } from "vitepress";
import DemoGenerator from "./DemoGenerator.vue";

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component("DemoGenerator", DemoGenerator);
  },
} satisfies Theme;
