import { DEFAULT_RANDOM_FAULTS, type FaultKind, type FaultPlan, type FaultStep } from './options.js';
import { seededRng, type Rng } from './rng.js';

/** Decides, request by request, which fault (if any) `POST /v1/messages` answers with. See FaultPlanSchema. */
export class FaultInjector {
  private index = 0;
  private readonly ruleCounts: number[];
  private readonly rng: Rng;
  private readonly weighted: Array<[FaultKind, number]>;
  private readonly totalWeight: number;

  constructor(
    /** The plan this injector follows. */
    readonly plan: FaultPlan,
    seed: number,
  ) {
    this.ruleCounts = plan.rules.map(() => 0);
    this.rng = seededRng(seed);
    const kinds = plan.kinds ?? Object.fromEntries(DEFAULT_RANDOM_FAULTS.map((k) => [k, 1]));
    this.weighted = (Object.entries(kinds) as Array<[FaultKind, number]>).filter(([, w]) => w > 0);
    this.totalWeight = this.weighted.reduce((sum, [, w]) => sum + w, 0);
  }

  /** The step for the next request, whose last user message is `text`. */
  next(text: string): FaultStep {
    const n = this.index++;
    // The draw happens for every request so a plan's random faults do not shift when rules match.
    const draw = this.plan.rate > 0 ? this.draw() : 'ok';
    const ruleIndex = this.plan.rules.findIndex((r) => text.includes(r.match));
    const rule = this.plan.rules[ruleIndex];
    if (rule) {
      const k = this.ruleCounts[ruleIndex]!;
      this.ruleCounts[ruleIndex] = k + 1;
      return rule.sequence[k] ?? rule.then;
    }
    return this.plan.sequence[n] ?? this.plan.at[String(n)] ?? draw;
  }

  private draw(): FaultStep {
    if (this.rng() >= this.plan.rate || this.totalWeight === 0) return 'ok';
    let pick = this.rng() * this.totalWeight;
    for (const [kind, weight] of this.weighted) {
      pick -= weight;
      if (pick < 0) return kind;
    }
    return this.weighted.at(-1)?.[0] ?? 'ok';
  }
}
