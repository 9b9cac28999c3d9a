import { parse as parseVega, resetSVGDefIds, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { CliError } from "../framework/cli-error.js";

/** One fine-tuned composition as the chart shows it. */
export interface ChartComposition {
  name: string;
  /** Validation loss at each evaluation step, in any order; may be empty (the composition still gets its bars). */
  validationLoss: { step: number; loss: number }[];
  /** Metric key -> score with its 95% bootstrap interval; a metric missing here draws no bar for this composition. */
  scores: Record<string, { score: number; low: number; high: number }>;
}

export interface DemoChartInput {
  compositions: ChartComposition[];
  /** The score panels, left to right: `key` looks up `scores`, `label` is what the panel is titled. */
  metrics: { key: string; label: string }[];
  /** The copy-the-input baseline, drawn as a dashed rule across each metric's panel it has a score for. */
  baseline?: { name: string; scores: Record<string, number> };
  title: string;
}

// Sizes chosen so that eight compositions' names fit under their bars and the whole chart fits a 1200 px window.
const BAR_STEP = 24;
const SCORE_PANEL_HEIGHT = 230;
const LOSS_PANEL_HEIGHT = 240;
const MIN_LOSS_PANEL_WIDTH = 420;

function invalid(field: string, expected: string, got: unknown): CliError {
  return new CliError("BAD_INPUT", `demo chart: ${field} must be ${expected}, got ${JSON.stringify(got)}`);
}

function requireFinite(value: unknown, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(field, "a finite number", value);
}

/** Checks the input up front so that a bad value fails naming its field, not deep inside Vega as a blank chart. */
function validate(input: DemoChartInput): void {
  if (input.compositions.length === 0) {
    throw new CliError("BAD_INPUT", "demo chart: compositions is empty; the chart needs at least one composition", {
      hint: "render the chart after at least one composition has been fine-tuned and scored",
    });
  }
  if (input.metrics.length === 0) {
    throw new CliError("BAD_INPUT", "demo chart: metrics is empty; the score panels need at least one metric");
  }
  const names = new Set<string>();
  input.compositions.forEach((composition, i) => {
    if (composition.name.length === 0) throw invalid(`compositions[${i}].name`, "a non-empty name", composition.name);
    if (names.has(composition.name)) {
      throw invalid(
        `compositions[${i}].name`,
        "unique (each composition gets one line and one color)",
        composition.name,
      );
    }
    names.add(composition.name);
    composition.validationLoss.forEach((point, j) => {
      requireFinite(point.step, `compositions[${i}].validationLoss[${j}].step`);
      requireFinite(point.loss, `compositions[${i}].validationLoss[${j}].loss`);
    });
    for (const [metric, value] of Object.entries(composition.scores)) {
      const field = `compositions[${i}].scores.${metric}`;
      requireFinite(value.score, `${field}.score`);
      requireFinite(value.low, `${field}.low`);
      requireFinite(value.high, `${field}.high`);
      if (!(value.low <= value.score && value.score <= value.high)) {
        throw invalid(field, "an interval with low <= score <= high", value);
      }
    }
  });
  const keys = new Set<string>();
  input.metrics.forEach((metric, i) => {
    if (keys.has(metric.key)) throw invalid(`metrics[${i}].key`, "unique", metric.key);
    keys.add(metric.key);
  });
  for (const [metric, score] of Object.entries(input.baseline?.scores ?? {})) {
    requireFinite(score, `baseline.scores.${metric}`);
  }
}

/** The Vega-Lite specification of the chart: loss curves on top, one score panel per metric below. */
export function demoChartSpec(input: DemoChartInput): TopLevelSpec {
  validate(input);
  const names = input.compositions.map((c) => c.name);
  // One explicit domain keeps each composition's color the same in both panels, and lists compositions without a
  // loss curve in the legend too.
  const color = {
    field: "composition",
    type: "nominal" as const,
    scale: { domain: names, scheme: "tableau10" },
    legend: { title: "composition", orient: "right" as const, symbolType: "square" },
  };

  const lossPoints = input.compositions.flatMap((c) =>
    [...c.validationLoss]
      .sort((a, b) => a.step - b.step)
      .map((point) => ({ composition: c.name, step: point.step, loss: point.loss })),
  );
  const withoutLoss = input.compositions.filter((c) => c.validationLoss.length === 0).map((c) => c.name);

  const scorePanels = input.metrics.map((metric) => {
    const rows = input.compositions.flatMap((c) => {
      const value = c.scores[metric.key];
      return value === undefined ? [] : [{ composition: c.name, ...value }];
    });
    const x = {
      field: "composition",
      type: "nominal" as const,
      sort: names,
      scale: { domain: names },
      axis: { title: null, labelAngle: -40, labelLimit: 110 },
    };
    const baselineScore = input.baseline?.scores[metric.key];
    // Headroom above the highest whisker for its value label: a label outside the plot would push this panel's title
    // above its neighbours'.
    const top = Math.max(1, baselineScore ?? 0, ...rows.map((r) => r.high));
    const y = {
      type: "quantitative" as const,
      title: null,
      scale: { domainMax: top * 1.1, nice: true },
      axis: { labelFlush: true },
    };
    // The baseline's value goes in the panel's subtitle rather than beside its rule, where it would cover bars.
    const subtitle = [
      ...(input.baseline === undefined || baselineScore === undefined
        ? []
        : [`${input.baseline.name}: ${baselineScore.toFixed(1)}`]),
      ...(rows.length === 0 ? ["no composition scored"] : []),
    ];
    const baselineLayers =
      baselineScore === undefined
        ? []
        : [
            {
              data: { values: [{ score: baselineScore }] },
              mark: { type: "rule" as const, color: "#444", strokeDash: [5, 4], strokeWidth: 1.5 },
              encoding: { y: { ...y, field: "score" } },
            },
          ];
    return {
      title: { text: metric.label, fontSize: 13, subtitle, subtitleColor: "#444" },
      width: { step: BAR_STEP },
      height: SCORE_PANEL_HEIGHT,
      layer: [
        {
          data: { values: rows },
          layer: [
            {
              mark: { type: "bar" as const, opacity: 0.85 },
              encoding: {
                x,
                y: { ...y, field: "score" },
                color,
              },
            },
            {
              mark: { type: "errorbar" as const, ticks: { size: 8 }, color: "#222" },
              encoding: {
                x,
                y: { ...y, field: "low" },
                y2: { field: "high" },
              },
            },
            {
              mark: { type: "text" as const, dy: -6, fontSize: 9, color: "#222" },
              encoding: {
                x,
                y: { ...y, field: "high" },
                text: { field: "score", type: "quantitative" as const, format: ".1f" },
              },
            },
          ],
        },
        ...baselineLayers,
      ],
    };
  });

  const scoresWidth = input.metrics.length * (names.length * BAR_STEP + 60);
  const lossTitle =
    withoutLoss.length === 0 ? "validation loss" : `validation loss (none recorded for ${withoutLoss.join(", ")})`;
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: input.title, fontSize: 16, anchor: "start" as const },
    background: "white",
    padding: 12,
    config: {
      font: "Helvetica, Arial, sans-serif",
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 12, titleFontSize: 12 },
      view: { stroke: "#ddd" },
    },
    vconcat: [
      {
        title: { text: lossTitle, fontSize: 13 },
        width: Math.max(MIN_LOSS_PANEL_WIDTH, scoresWidth - 60),
        height: LOSS_PANEL_HEIGHT,
        data: { values: lossPoints },
        mark: { type: "line" as const, point: true, strokeWidth: 2 },
        encoding: {
          x: { field: "step", type: "quantitative" as const, title: "fine-tuning step" },
          y: { field: "loss", type: "quantitative" as const, title: "validation loss", scale: { zero: false } },
          color,
        },
      },
      {
        title: {
          text:
            input.baseline === undefined
              ? "test scores with 95% bootstrap intervals"
              : `test scores with 95% bootstrap intervals; dashed: ${input.baseline.name}`,
          fontSize: 13,
        },
        hconcat: scorePanels,
        resolve: { scale: { y: "independent" as const } },
      },
    ],
    resolve: { scale: { color: "shared" as const } },
  };
  return spec as TopLevelSpec;
}

/**
 * The demo's chart as one SVG document: validation loss per step (a line per composition) above the score bars per
 * metric with their 95% intervals and the copy-the-input baseline. Rendered by Vega in Node with no canvas or
 * browser; the same input gives the same bytes.
 */
export async function renderDemoChart(input: DemoChartInput): Promise<string> {
  const vegaSpec = compile(demoChartSpec(input)).spec;
  const view = new View(parseVega(vegaSpec), { renderer: "none" });
  try {
    // Clip-path and gradient ids come from module-wide counters; restarting them keeps repeated renders identical.
    resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
