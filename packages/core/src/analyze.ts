import { LATIN_EXTRA, compilePhraseMatcher, matchLibraries, type LibraryEntry, type PhraseMatch } from './catalog/libraries.js';
import type { Analysis, Capability, Constraint, DomainScore, Framework, Scale } from './schemas/analysis.js';
import { framingLength } from './requirement-framing.js';
import { withoutInstructions } from './requirement-safety.js';
import { hasUnusualSpace } from './whitespace.js';

/*
 * Keyword analysis of a requirement. Everything is compiled once at module load: each rule table
 * becomes one regex whose capture groups say which rule matched, so a call is a handful of linear
 * scans. The requirement is untrusted data: it only ever feeds these scans, nothing in it is
 * interpreted as an instruction.
 */

/** The domains analysis can name (the templates have one section per domain). */
export const DOMAINS = [
  'frontend', 'backend', 'data-engineering', 'machine-learning', 'devops', 'cloud-infrastructure',
  'security', 'testing-qa', 'database', 'mobile', 'documentation', 'api-design', 'observability',
  'accessibility', 'game-development', 'product-management', 'code-review', 'performance', 'compliance',
  'general',
] as const;
export type Domain = (typeof DOMAINS)[number];

interface GroupMatch<V> {
  value: V;
  index: number;
  text: string;
}

/**
 * One regex for a table of [value, regex source] rules. Sources must not capture. At one start
 * position earlier rules win, so specific phrases ("integration tests") go before general ones.
 */
function compileRules<V>(rules: ReadonlyArray<readonly [V, string]>): (text: string) => GroupMatch<V>[] {
  const values = rules.map(([v]) => v);
  const re = new RegExp(`(?<![a-z0-9_${LATIN_EXTRA}])(?:${rules.map(([, s]) => `(${s})`).join('|')})(?![a-z0-9_${LATIN_EXTRA}])`, 'g');
  return (text) => {
    const out: GroupMatch<V>[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      for (let g = 1; g < m.length; g++) {
        if (m[g] !== undefined) {
          out.push({ value: values[g - 1] as V, index: m.index, text: m[0] });
          break;
        }
      }
    }
    return out;
  };
}

// ---- Domains -------------------------------------------------------------------------------

const scanDomains = compileRules<readonly Domain[]>([
  [['backend', 'api-design'], 'rest(?:ful)? apis?|endpoints?|api servers?'],
  [['database'], 'database migrations?|schema migrations?'],
  [['security'], 'sql injection|security audits?'],
  [['documentation'], 'release notes|changelogs?'],
  [['devops'], 'git hooks|pre-commit hooks?'],
  [['frontend'], 'front-?end|ui|ux|user interfaces?|components?|css|html|dom|browsers?|web ?apps?|single-page apps?|spa|responsive|styling|hooks|jsx|tsx|design systems?|landing pages?|web pages?'],
  [['backend'], 'back-?end|servers?|server-side|microservices?|web services?|business logic|middleware|request handlers?|background jobs?|job queues?'],
  [['data-engineering'], 'data pipelines?|etl|elt|data warehouses?|warehouse|ingestion|data lakes?|lakehouse|batch jobs?|streaming data|data streams?|data quality|data engineering|data models?|dags?|parquet|csv files?|datasets?|data contracts?'],
  [['machine-learning'], 'machine learning|ml|mlops|model training|train(?:s|ing)? (?:a |the )?models?|inference|neural (?:networks?|nets?)|deep learning|llms?|embeddings?|fine-?tun(?:e|es|ed|ing)|classifiers?|rag|ai|nlp|computer vision|feature engineering|prompts?|evals?|hyperparameters?'],
  [['devops'], 'devops|ci/cd|ci|cd|pipelines?|deploy(?:s|ed|ing|ments?)?|releases?|infrastructure as code|iac|containers?|containeri[sz]ed|gitops|rollbacks?|rollouts?|build systems?|sre|platform engineering'],
  [['cloud-infrastructure'], 'cloud|infrastructure|infra|vpcs?|iam|buckets?|load balancers?|cdn|dns|auto-?scaling|regions?|multi-region|serverless|cloud costs?|instances|clusters?|subnets?|landing zones?'],
  [['security'], 'security|secure|insecure|vulnerabilit(?:y|ies)|vulnerable|cves?|secrets?|authentication|authori[sz]ation|auth|xss|csrf|ssrf|injection|encryption|encrypt|threats?|threat model(?:s|ing)?|penetration test(?:s|ing)?|pentest(?:s|ing)?|harden(?:s|ing)?|least privilege|malware|exploits?|sast|dast|credentials'],
  [['testing-qa'], 'unit tests?|integration tests?|e2e|end-to-end|tests?|testing|tested|qa|test coverage|coverage|flaky|regressions?|test cases?|test suites?|tdd|fixtures|mocks?|mocking|specs'],
  [['database'], 'databases?|db|dbs|sql|queries|query|schemas?|indexes|indices|orm|tables?|stored procedures?|transactions?'],
  [['mobile'], 'mobile|ios|iphone|ipad|app store|play store|mobile apps?|tablets?|apk'],
  [['documentation'], 'documentation|docs|readmes?|docstrings?|api references?|guides?|tutorials?|changelogs?|release notes|technical writing|wikis?|markdown|comments|jsdoc|man pages?'],
  [['api-design'], 'apis?|rest|api design|versioning|api contracts?|contracts?|sdks?|webhooks?|rate limit(?:s|ing)?|pagination|http'],
  [['observability'], 'observability|monitoring|monitors?|metrics|logs?|logging|tracing|traces|alerts?|alerting|dashboards?|slos?|slis?|incidents?|on-call|uptime|apm|telemetry|error rates?'],
  [['accessibility'], 'accessibility|a11y|accessible|screen readers?|aria|contrast|keyboard navigation|alt text|focus order'],
  [['game-development'], 'games?|gameplay|game design|level design|shaders?|sprites?|physics engine|multiplayer|npcs?|game engines?|game dev|gamedev'],
  [['product-management'], 'product requirements?|prds?|roadmaps?|user stor(?:y|ies)|backlogs?|stakeholders?|prioriti[sz](?:e|es|ing|ation)|okrs?|product managers?|product management|feature requests?|acceptance criteria|tickets?|sprints?|epics?|customer feedback|product specs?'],
  [['code-review'], 'code review(?:s|er|ers|ing)?|pull requests?|prs?|merge requests?|diffs?|reviews?|reviewers?|reviewing|code quality|linters?|linting|style guides?|coding conventions|conventions|commit messages?|commits?|code smells?|best practices|clean code'],
  [['performance'], 'performance|performant|latency|throughput|slow|slowness|speed up|faster|optimi[sz](?:e|es|ed|ing|ation|ations)|profiling|profiler|benchmarks?|benchmarking|bottlenecks?|memory leaks?|memory usage|cach(?:e|es|ing)|load test(?:s|ing)?|p9[59]|bundle size|core web vitals|cpu usage'],
  [['compliance'], 'compliance|compliant|gdpr|hipaa|soc ?2|pci(?:-dss)?|iso 27001|audit trails?|audit logs?|regulat(?:ory|ions?)|licen[cs]es?|policy|policies|privacy|pii|data retention|sox|ccpa|fedramp'],
]);

// ---- Capabilities --------------------------------------------------------------------------

// null rules consume phrases that would otherwise read as a capability ("release notes" is not a release).
const scanCapabilities = compileRules<Capability | null>([
  ['document', '(?:writ(?:e|es|ing)|generat(?:e|es|ing)|draft(?:s|ing)?|updat(?:e|es|ing)|maintain(?:s|ing)?|compil(?:e|es|ing)|keep(?:s|ing)?) (?:the |our |a )?(?:release notes|changelogs?)'],
  [null, 'release notes|changelogs?'],
  // Fixes to report are findings, not a request to fix: "report violations with fixes", "propose fixes".
  [null, '(?:with|plus|including|suggest(?:s|ed|ing)?|propos(?:e|es|ed|ing)|recommend(?:s|ed|ing)?) (?:a |the |suggested |proposed |concrete |possible )?fix(?:es)?(?! (?:it|them|the|this|these|those|all|any|every|each|our|broken|failing)\\b)'],
  // Migrations to review are the work's object, not a migration to carry out ("Review SQL migrations for locking").
  [null, '(?<=(?:review|reviews|reviewing|audit|audits|auditing|check|checks|checking|validate|validates|inspect|inspects|lint|lints) (?:the |our |all |new |pending )?(?:[a-z0-9-]+ )?)migrations?|migrations?(?= (?:reviewers?|auditors?|checkers?|validators?|linters?)\\b)'],
  // A build or a release as a thing: "the nightly build", "build logs", "the release checklist" are no request to build or release.
  [null, '(?:nightly|daily|weekly|ci|release|production|docker|the last|latest|slow|slower|fast|faster|incremental|reproducible|long) builds?|build (?:logs?|times?|failures?|pipelines?|steps?|scripts?|artifacts?|caches?|systems?|status|outputs?|config(?:uration)?s?|files?|settings|tooling|tools?|setups?|speed|performance|errors?|warnings?)|release (?:checklists?|plans?|process(?:es)?|calendars?|schedules?|branches|candidates?)|(?:the |our )?(?:last|latest|previous|next|upcoming|recent) releases?|(?:every|each) releases?|before (?:deploy|deploying|release|releasing|merge|merging)'],
  // Compose as a product: "Docker Compose files", "Jetpack Compose screens" ask for no composing.
  [null, '(?:docker|jetpack|podman|compose multiplatform) compose|docker-compose(?:\\.ya?ml)?|compose (?:files?|stacks?|projects?|services?|manifests?|ya?ml)'],
  // Debug and test settings as things: "leftover debug flags and test endpoints" ask for no debugging or testing.
  [null, 'debug (?:flags?|mode|logs?|logging|builds?|symbols?|statements?|output|endpoints?|settings?|info|menus?)|test (?:endpoints?|accounts?|users?|environments?|servers?|keys?|credentials?|cards?|mode)'],
  // Planning a change is thinking it through, not making it: "Plan the migration of the monolith" reports a plan.
  ['analyze', 'plan(?:s|ning)? (?:the |a |an |our |its )?(?:[a-z0-9.-]+ ){0,2}?(?:migrations?|upgrades?|rollouts?|refactors?|refactorings?|rewrites?|cutovers?)'],
  // Errors grouped "by root cause" are sorted, not debugged.
  [null, '(?:by|per) (?:their |its |the )?root[- ]causes?'],
  // Machine-learning nouns: "training scripts" are not a request to train, nor "test sets" to test.
  [null, 'training (?:scripts?|data|datasets?|loops?|runs?|jobs?|pipelines?|sets?|code)|train(?:ing)?(?: and |/)(?:test|validation|val)(?: sets?| splits?)?|test (?:sets?|splits?)'],
  ['test', 'failing tests?|flaky tests?|integration tests?|unit tests?|e2e tests?|end-to-end tests?|tests?|testing|tested|test suites?|test coverage|coverage|qa|tdd'],
  // "documents" (plural noun) and "readme" alone do not make an agent a writer.
  ['document', '(?<![\\s\\S])(?:(?:api|user|developer|project|internal) )?docs(?= for\\b|$)|(?:migration|upgrade|onboarding|setup|installation|user|style) guides?|document|documenting|documented|documentation|docstrings?|jsdoc|api references?|keep(?:s|ing)? (?:the |our |its )?(?:[a-z0-9-]+ ){0,3}?(?:docs|readmes?|guides?|wikis?) (?:up(?:-| )to(?:-| )date|in sync|current|accurate|consistent)|writ(?:e|es|ing) (?:the |api |user )?(?:docs|documentation|guides?)'],
  ['orchestrate', 'orchestrat(?:e|es|ed|ing|ion|or|ors)|coordinat(?:e|es|ed|ing|ion|or)|multi-step|multi-agent|sub-?agents?|pipelines? of agents|workflows? of agents|delegat(?:e|es|ing)|fan(?:s)? out'],
  ['research', 'research(?:es|ed|ing)?|investigat(?:e|es|ed|ing|ion)|look(?:s|ing)? up|find(?:s|ing)? out|search(?:es|ing)? (?:online|the web)|web search|compar(?:e|es|ing) (?:libraries|frameworks|tools|options|vendors)|keep(?:s)? up(?: |-)to(?: |-)date with|stay(?:s)? current|latest (?:docs|documentation|versions?|releases?|best practices)'],
  ['migrate', 'backfill(?:s|ing)?|migrat(?:e|es|ed|ing|ion|ions)|upgrad(?:e|es|ed|ing)|porting|ports? (?:from|to|it|them|this|the|our|my)|transition(?:s|ing)? from|replac(?:e|es|ing) (?:[a-z0-9.-]+ ){1,3}?with|bump(?:s|ing)?|updat(?:e|es|ing) (?:the |our |all |its )?(?:[a-z0-9.-]+ ){0,2}?(?:dependenc(?:y|ies)|packages?|versions?|base images?|images?|librar(?:y|ies)|sdks?|runtimes?|toolchains?|lockfiles?)'],
  ['refactor', 'refactor(?:s|ed|ing|ings)?|restructur(?:e|es|ed|ing)|clean(?:s)? up|cleanup|simplif(?:y|ies|ying)|moderni[sz](?:e|es|ing|ation)|rewrit(?:e|es|ing)|dedupl?icat(?:e|es|ing)|decompos(?:e|es|ing)|extract(?:s)? (?:functions?|methods?|components?)|(?:remov(?:e|es|ing)|delet(?:e|es|ing)|prun(?:e|es|ing)) (?:the |all |our )?(?:dead|unused|duplicated?|obsolete|stale) (?:code|files?|imports?|exports?|dependencies|feature flags?|css|styles?)|dead code|renam(?:e|es|ing)'],
  ['optimize', 'optimi[sz](?:e|es|ed|ing|ation|ations|er)|speed(?:s|ing)? up|tun(?:e|es|ing)|performance tuning|make (?:it |things |them )?faster|(?:reduc(?:e|es|ing)|cut(?:s|ting)?|lower(?:s|ing)?|shrink(?:s|ing)?) (?:[a-z0-9.-]+ ){0,3}?(?:latency|costs?|memory|bundle size|load times?|build times?|cpu|spend|p9[59]|run ?times?)|improv(?:e|es|ing) (?:the )?performance|make (?:it|them|the [a-z0-9-]+(?: [a-z0-9-]+)?) (?:load|run|start|respond|build|render) (?:faster|quicker|in|under|within)'],
  ['debug', 'failing (?:builds?|jobs?|pipelines?|deploys?)|broken builds?|debug(?:s|ged|ging|ger)?|fix(?:es|ed|ing)?|troubleshoot(?:s|ing)?|diagnos(?:e|es|ing|is|tics)|root[- ]caus(?:e|es|ing)|crash(?:es|ing)?|stack traces?'],
  ['secure', '(?:leaked|exposed|hard-?coded|committed) (?:secrets?|credentials?|keys?|tokens?)|(?:secrets?|credentials?) (?:committed|leaked|exposed|checked in)|secur(?:e|es|ing)|harden(?:s|ing|ed)?|security|vulnerabilit(?:y|ies)|cves?|threat model(?:s|ing)?|pentest(?:s|ing)?|penetration test(?:s|ing)?|sanitiz(?:e|es|ing)|least privilege|secrets? scann(?:ing|er)|encrypt(?:s|ing|ion)?'],
  ['deploy', 'deploy(?:s|ed|ing|ments?)?|releas(?:e|es|ing)|ship(?:s|ping)?|roll(?:s|ing)? out|rollouts?|publish(?:es|ing)?|provision(?:s|ing)?|go live'],
  ['monitor', 'monitor(?:s|ing)?|watch(?:es|ing)?|alert(?:s|ing)?|observability|observ(?:e|es|ing)|track(?:s|ing)?|on-call|keep(?:s)? an eye'],
  ['integrate', 'integrat(?:e|es|ed|ing|ion|ions)|connect(?:s|ing|ors?)?|sync(?:s|ing|hroni[sz](?:e|es|ing))?|bridg(?:e|es|ing)|hook(?:s)? into|plug(?:s)? into|posts? (?:to|in)|send(?:s)? (?:to|notifications?|messages?)|notif(?:y|ies)'],
  ['validate', 'ensur(?:e|es|ing)|make sure|validat(?:e|es|ed|ing|ion|or)|check(?:s|ing|er)?|verif(?:y|ies|ying|ication)|lint(?:s|ing|er|ers)?|enforc(?:e|es|ing)|conform(?:s|ance)?|compl(?:y|ies) with'],
  ['review', 'review(?:s|ed|ing|er|ers)?|audit(?:s|ed|ing|or)?|inspect(?:s|ing|ion)?|critiqu(?:e|es|ing)|assess(?:es|ing|ment)?'],
  ['analyze', 'analy[sz](?:e|es|ed|ing|is|er|ers)|analytics|evaluat(?:e|es|ing|ion)|examin(?:e|es|ing)|explain(?:s|ing)?|summari[sz](?:e|es|ing|ation)|classif(?:y|ies|ying|ication)|triag(?:e|es|ing)|identif(?:y|ies|ying)|detect(?:s|ing)?|find(?:s|ing)?|flag(?:s|ging)?|measur(?:e|es|ing)|estimat(?:e|es|ing)|forecast(?:s|ing)?|understand(?:s)?'],
  ['create', 'creat(?:e|es|ed|ing)|build(?:s|ing)?|generat(?:e|es|ed|ing)|generator|writ(?:e|es|ing)|scaffold(?:s|ing)?|implement(?:s|ing)?|produc(?:e|es|ing)|draft(?:s|ing)?|format(?:s|ting)?(?= (?:the|our|all|a|an|its|their|every|each|code|files?|sql|json|yaml|markdown|output|data|dates?|numbers?)\\b)|fine-?tun(?:e|es|ed|ing)|train(?:s|ing)?|set(?:s)? up|bootstrap(?:s|ping)?|convert(?:s|ing)?|conversion (?:scripts?|tools?|jobs?|pipelines?)|turn(?:s|ing)? (?:[a-z0-9.-]+ ){1,4}?into (?:[a-z0-9.-]+ ){0,2}?(?:code|components?|tests?|modules?|functions?|classes|scripts?|pages?|screens?)|translat(?:e|es|ing)|locali[sz](?:e|es|ing)|internationali[sz](?:e|es|ing)|compos(?:e|es|ing)|author(?:s|ing)?' +
    // Changing what exists is editing too: "Configure ESLint", "Add structured logging" (not comments or labels on a PR).
    '|stor(?:e|es|ing) (?:them|it|the results?|results|the data|data|everything) (?:in|into|to|as)|sav(?:e|es|ing) (?:them |it |the results? |results |the data |data )?(?:in|into|to|as) (?:a |an |the )?(?:[a-z0-9-]+ )?(?:files?|spreadsheets?|csv|json|database|tables?|sheets?|folders?|directory)|export(?:s|ing)? (?:them |it |the results? |results |the data |data )?(?:to|as|into) (?:a |an )?(?:csv|json|spreadsheets?|files?|excel|parquet)' +
    '|configur(?:e|es|ing)|design(?:s|ing)?(?= (?:a|an|the|our|new)\\b)|add(?:s|ing)?(?= )(?! (?:a |an |the |our )?(?:comments?|notes?|labels?|reviewers?|summar(?:y|ies)|reactions?)\\b)|modif(?:y|ies|ying)|insert(?:s|ing)?|replac(?:e|es|ing)'],
]);

/** Capabilities whose work changes files (tools policy grants Edit/Write for these). */
export const EDITING_CAPABILITIES: readonly Capability[] = ['create', 'optimize', 'migrate', 'refactor', 'document', 'test', 'debug'];

// ---- Constraints ---------------------------------------------------------------------------

// "must not", "mustn't", "must never", "never", "without" …, optionally "ever"/"be allowed to".
const NEG =
  "(?:(?:must|should|shall|will|may|can|could|does|do|is|are)(?: not|n't| never)|never|cannot|can't|won't|not allowed to|not permitted to|without)" +
  '(?: (?:ever|directly|actually|itself|be allowed to|allowed to|permitted to|supposed to))?';
const MOD_MORE = '(?:(?:/|, | or | and )(?:modify|write|edit|change|alter|touch|delete|overwrite)(?:s|ing)?)*';
const OBJECT =
  '(?:(?:any|the|source|existing|project|production|your|their|user|local|its|our) ){0,2}(?:files?|code|source code|source|anything|repo|repository|codebase|disk|working tree|workspace)';
const APPROVAL_WHO = '(?:(?:explicit|human|manual|prior|written|user|a|an|their|my|the|team|lead|maintainer|admin|owner|security|final) ){0,3}';

const scanConstraints = compileRules<Constraint['kind']>([
  ['no-exec', `${NEG} (?:run|running|runs|execute|executing|executes|invoke|invoking|use|using) (?:(?:any|shell|arbitrary|the|terminal) )*(?:commands?|shell|scripts?|bash|terminal|programs?|binaries)|no (?:shell|bash|terminal|command)(?: access| execution| commands)?|no command execution|without (?:shell|terminal|command)(?: access)?`],
  ['no-network', `offline|air-?gapped|no (?:internet|network|web|external)(?: access| calls| requests)?|without (?:internet|network|web)(?: access)?|${NEG} (?:access|use|call|reach|contact|browse) (?:the )?(?:internet|network|web|external (?:apis|services|urls))`],
  ['requires-approval', `(?:requires?|requiring|needs?|needing|with|after|awaits?|awaiting|gets?|getting|pending|seeks?|seeking|asks? for|asking for|subject to|only with|only after) ${APPROVAL_WHO}(?:approvals?|sign-?offs?|confirmation|consent|permission)(?: gates?| steps?)?|without ${APPROVAL_WHO}(?:approvals?|sign-?offs?|confirmation|consent|permission)|asks? (?:(?:the user|a human|me|us|for permission|for confirmation|first) )?before|asking (?:(?:the user|a human|me|us) )?before|human[- ]in[- ]the[- ]loop|approval (?:gates?|steps?|workflows?)|manual approval|approved by (?:a |the )?(?:human|user|maintainer|owner|lead)|confirm(?:s|ing)? (?:with (?:the user|a human|me|us) )?before|sign-?off`],
  ['read-only', 'read-?only|read only|only reports?|only reporting|report[- ]only|reports? only|just reports?|only (?:reads?|suggests?|comments?|flags?|recommends?|analy[sz]es)|advisory only|suggestions? only|dry[- ]run|no (?:writes|edits|changes|modifications)(?: to (?:the )?(?:code|files|repo))?'],
  ['no-modify', `${NEG} (?:modify|modifies|modifying|edit|edits|editing)${MOD_MORE}(?: ${OBJECT})?|${NEG} (?:write|writes|writing|change|changes|changing|alter|alters|altering|touch|touches|touching|delete|deletes|deleting|overwrite|overwrites|overwriting|commit|push)(?: to| or modify| or change| or edit| or delete)?${MOD_MORE} ${OBJECT}`],
]);

/** A prohibited action that no constraint kind names ("never deploy", "must not merge"). */
const NEGATED_ACTION = new RegExp(`\\b${NEG} (?:[a-z]+ )?(?:deploy|deploying|release|releasing|publish|publishing|ship|shipping|merge|merging|push|pushing|apply|applying|roll out|rolling out)\\b`, 'g');

// ---- Scale, patterns, integrations -------------------------------------------------------

const scanScale = compileRules<Exclude<Scale, 'small'>>([
  ['enterprise', 'enterprises?|enterprise-wide|organi[sz]ation-wide|org-wide|company-wide|across the (?:organi[sz]ation|company|org)|thousands of|millions of|hundreds of|multi-region|multiple regions|global(?:ly)? distributed|multi-tenan(?:t|cy)|fleets?|soc ?2|hipaa|pci(?:-dss)?|fedramp|iso 27001|(?:[2-9][0-9]|[1-9][0-9]{2,})\\+? (?:micro-?services|services|repos|repositories|teams|clusters|accounts|regions|applications|apps)'],
  ['medium', 'teams?|several (?:services|repos|repositories|teams|apps|applications|environments)|multiple (?:services|repos|repositories|teams|apps|applications|environments)|production|prod|ci pipelines?|ci/cd|ci|staging|cross-team|departments?|micro-?services|(?:[2-9]|1[0-9]) (?:micro-?services|services|repos|repositories|teams|clusters)|mono-?repos?'],
]);

const scanPatterns = compileRules<string>([
  ['microservices', 'micro-?services?|service mesh|istio'],
  ['distributed', 'distributed|multi-region|multiple regions|across (?:multiple |many |several )?(?:regions|nodes|clusters|data ?centers)|sharding|sharded|consensus|replication'],
  ['event-driven', 'event-driven|event driven|event streaming|event bus|event sourcing|pub/?sub|message (?:queues?|brokers?)'],
  ['real-time', 'real-?time|streaming|streams?|websockets?|live updates|low-latency|sub-second'],
  ['machine-learning', 'machine learning|deep learning|neural networks?|ml models?|llms?|model training|training (?:a |the )?models?|inference|embeddings|rag|fine-?tuning'],
  ['multi-tenant', 'multi-?tenan(?:t|cy|ted)'],
  ['high-availability', 'high availability|highly available|fail-?over|disaster recovery|zero[- ]downtime|99\\.9+%?|redundan(?:t|cy)'],
  ['serverless', 'serverless|lambda functions?|aws lambda|cloud functions|edge functions|faas|cloudflare workers'],
  ['data-pipeline', 'data pipelines?|etl|elt|ingestion pipelines?|batch processing|data ingestion|dags?'],
  ['monorepo', 'mono-?repos?|turborepo|nx workspace'],
]);

/** Libraries that imply an architecture pattern on their own. */
const LIBRARY_PATTERNS: Readonly<Record<string, string>> = {
  '/apache/kafka': 'event-driven',
  '/rabbitmq/rabbitmq-server': 'event-driven',
  '/apache/flink': 'real-time',
  '/apache/spark': 'data-pipeline',
  '/apache/airflow': 'data-pipeline',
  '/dbt-labs/dbt-core': 'data-pipeline',
  '/databricks/databricks-sdk-py': 'data-pipeline',
  '/pytorch/pytorch': 'machine-learning',
  '/tensorflow/tensorflow': 'machine-learning',
  '/keras-team/keras': 'machine-learning',
  '/scikit-learn/scikit-learn': 'machine-learning',
  '/huggingface/transformers': 'machine-learning',
  '/mlflow/mlflow': 'machine-learning',
};

const INTEGRATIONS: ReadonlyArray<readonly [string, string]> = [
  ['github', 'GitHub'], ['github actions', 'GitHub'], ['gh actions', 'GitHub'], ['gitlab', 'GitLab'],
  ['bitbucket', 'Bitbucket'], ['jira', 'Jira'], ['slack', 'Slack'], ['linear issue', 'Linear'],
  ['linear issues', 'Linear'], ['linear ticket', 'Linear'], ['linear tickets', 'Linear'], ['linear.app', 'Linear'],
  ['pagerduty', 'PagerDuty'], ['opsgenie', 'Opsgenie'], ['s3', 'S3'], ['s3 bucket', 'S3'], ['s3 buckets', 'S3'],
  ['sentry', 'Sentry'], ['datadog', 'Datadog'], ['confluence', 'Confluence'], ['notion', 'Notion'],
  ['stripe', 'Stripe'], ['salesforce', 'Salesforce'], ['email', 'Email'], ['emails', 'Email'],
  ['e-mail', 'Email'], ['gmail', 'Gmail'], ['outlook', 'Outlook'], ['webhook', 'Webhooks'], ['webhooks', 'Webhooks'],
  ['discord', 'Discord'], ['microsoft teams', 'Microsoft Teams'], ['ms teams', 'Microsoft Teams'],
  ['zendesk', 'Zendesk'], ['hubspot', 'HubSpot'], ['twilio', 'Twilio'], ['google drive', 'Google Drive'],
  ['google sheets', 'Google Sheets'], ['google docs', 'Google Docs'], ['google calendar', 'Google Calendar'],
  ['trello', 'Trello'], ['asana', 'Asana'], ['figma', 'Figma'], ['shopify', 'Shopify'], ['sendgrid', 'SendGrid'],
  ['servicenow', 'ServiceNow'], ['okta', 'Okta'], ['auth0', 'Auth0'], ['airtable', 'Airtable'], ['zapier', 'Zapier'],
  ['intercom', 'Intercom'], ['new relic', 'New Relic'], ['splunk', 'Splunk'], ['cloudwatch', 'CloudWatch'],
  ['statuspage', 'Statuspage'], ['sharepoint', 'SharePoint'], ['dropbox', 'Dropbox'], ['docker hub', 'Docker Hub'],
  ['vercel', 'Vercel'], ['netlify', 'Netlify'], ['heroku', 'Heroku'], ['npm registry', 'npm registry'],
];
const scanIntegrations = compilePhraseMatcher(INTEGRATIONS);

// ---- Other signals: web, shell, output format, vagueness, success criteria ---------------

type Signal = 'web' | 'run' | 'cli' | 'format' | 'vague' | 'criterion' | 'code';
const scanSignals = compileRules<Signal>([
  // Not "URL routing" or "write release notes": URLs to visit and changelogs of others' releases.
  ['web', 'latest|cves?|(?:release notes|changelogs?) of|the web|web search|search online|look online|browse|browsing|internet|(?:fetch|open|visit|crawl|follow|check|scrap(?:e|es|ing)) (?:the |a |each |every |all |their |our )?(?:urls?|links?|pages?)|scrap(?:e|es|ing)|scrapers?|websites?|web pages?|(?:library|framework|official|upstream|vendor|online|latest|current|external) (?:docs|documentation)|up(?:-| )to(?:-| )date (?:docs|documentation|information|versions?|releases?|best practices)|(?:dependencies|packages|libraries|sdks?) up(?:-| )to(?:-| )date'],
  // "Run eslint", "runs the tests"; not a state: "running as root", "services running in Kubernetes", "long-running jobs".
  // Operating on resources runs commands: "delete unused Docker images", "rotate expiring TLS certificates", "clean up stale branches".
  ['run', '(?:delet|remov|purg|prun|rotat|clean(?:s|ing)? up|renew|restart)[a-z]* (?:(?:the|our|all|any|old|stale|unused|expired|expiring|orphaned|dangling|tls|ssl|docker|git|cloud|s3|ec2|kubernetes|k8s|feature) )*(?:images?|branches|containers?|volumes?|buckets?|instances?|resources?|certificates?|certs?|snapshots?|artifacts?|caches?|pods?|deployments?|tags?|releases?|credentials?|keys?|secrets?|tokens?)'],
  ['run', '(?<!(?:long|still|currently|already|keep|keeps)[- ])run(?:s|ning)?(?!\\s+(?:as|on|in|under|inside|within|at|out|into|away|over|behind|smoothly|slowly|fast|locally|remotely|concurrently)\\b)|execut(?:e|es|ing)|lint(?:s|ing)?|linters?|benchmark(?:s|ing)?|profiling|profiler|compil(?:e|es|ing)'],
  // Not "scripts": reading or explaining a script needs no shell ("run the scripts" is a 'run').
  ['cli', "commands?|cli|shell|bash|terminal|kubectl|npm|npx|pnpm|yarn|pip|cargo|gradle|mvn|maven|makefile|git|go (?:test|build|vet)|terraform (?:plan|apply|validate|fmt)|docker (?:build|run)|docker(?: |-)compose (?:up|down|build|run|exec|pull|push|logs)"],
  ['format', 'reports?|summar(?:y|ies)|markdown|json|yaml|tables?|checklists?|comments?|lists?|csv|html|pdf|diffs?|patch(?:es)?|pull requests?|issues?|tickets?|messages?|dashboards?|files?|documents?|findings|verdict|scores?'],
  ['vague', 'etc\\.?|and so on|and so forth|various|some|stuff|things|whatever|and more|and the like|anything else|misc|miscellaneous'],
  ['criterion', '[0-9]+(?:\\.[0-9]+)?(?:ms|s|%|x|kb|mb|gb)?|percent|target|budget|under|below|within|less than|at least|at most|sla|slo|p9[59]|goal'],
  ['code', 'code|codebase|repo|repository|functions?|modules?|components?|source|app|application|services?|librar(?:y|ies)|classes|endpoints?|programs?|sdk'],
]);

const CODE_CAPABILITIES: ReadonlySet<Capability> = new Set(['create', 'review', 'refactor', 'debug', 'test', 'optimize', 'migrate']);
const CODE_DOMAINS: ReadonlySet<Domain> = new Set(['frontend', 'backend', 'mobile', 'api-design', 'game-development']);
const REPORTING_CAPABILITIES: ReadonlySet<Capability> = new Set(['review', 'analyze', 'research', 'monitor', 'validate']);
// Migrations, deploys and tests run something by nature; the rest need an explicit word.
const SHELL_CAPABILITIES: ReadonlySet<Capability> = new Set(['test', 'deploy', 'migrate']);

// ---- Words: language and key terms ---------------------------------------------------------

const WORD = /[a-z\u00c0-\u024f][a-z0-9\u00c0-\u024f]*(?:[-+#.][a-z0-9\u00c0-\u024f]+)*/g;
const NON_ASCII = /[^\u0000-\u007f]/g;

const EN_STOPWORDS: ReadonlySet<string> = new Set(
  ('the a an and or of to in for that this with on is are be it from by as at should must will can ' +
    'when all any each my our your we i you its into not no only then which who what how it\'s them ' +
    'they their has have was were been but if so than also about over under after before more most ' +
    'these those there where while such do does make makes me us same other every').split(' '),
);

// Frequent function words of other Latin-script languages (de, es, fr, pt, it, nl).
const OTHER_STOPWORDS: ReadonlySet<string> = new Set(
  ('der die das und ist nicht ein eine einen mit für von zu den dem des sich auf el la los las que y ' +
    'en por para con una un del al le les et est pour avec dans du des une il het een van ook niet ' +
    'che di il per non sono os da em um uma não').split(' '),
);

// Words too common to say what an agent is about (and the usual words of injection attempts).
const NOT_KEY_TERMS: ReadonlySet<string> = new Set(
  ('that this these those with from into when what which where while there their them they your ' +
    'ours have been being also only just each every other some such than then very more most many ' +
    'much about after before over under within without across like need needs want wants able sure ' +
    'should would could must will shall agent agents subagent sub-agent assistant helper please ' +
    'given give gives using uses used make makes made create creates help helps does done doing ' +
    'ignore previous instructions instruction bypasspermissions tool tools permission permissions ' +
    'anything everything something nothing always never whenever whether into onto upon etc. ' +
    'things stuff various thing well based able whose whom here between among during against toward towards through throughout').split(' '),
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SURROGATE = /[\ud800-\udfff]/;
const INVISIBLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Whitespace-normalized requirement: control and bidi characters gone, lone surrogates replaced. */
export function normalizeRequirement(requirement: string): string {
  // The cheap tests skip replacements that would change nothing, as for most requirements.
  const whole = SURROGATE.test(requirement) ? requirement.replace(LONE_SURROGATE, '\ufffd') : requirement;
  const visible = whole.replace(INVISIBLE, '');
  return (hasUnusualSpace(visible) ? visible.replace(/\s+/g, ' ') : visible).trim();
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
/** Saturating confidence: one hit ~0.33, three ~0.7, six ~0.9. */
const strength = (score: number): number => Math.max(0.05, round2(1 - Math.exp(-score / 2.5)));

function scoreDomains(text: string, libs: readonly PhraseMatch<LibraryEntry>[]): { primary: DomainScore; secondary: DomainScore[] } {
  const score = new Map<Domain, number>();
  const first = new Map<Domain, number>();
  const add = (d: Domain, w: number, index: number): void => {
    score.set(d, (score.get(d) ?? 0) + w);
    if (!first.has(d)) first.set(d, index);
  };
  for (const m of scanDomains(text)) for (const d of m.value) add(d, 1, m.index);
  // A named library is stronger evidence than a keyword.
  for (const m of libs) add(m.value.domain as Domain, 2, m.index);
  const ranked = [...score.entries()].sort(
    (a, b) => b[1] - a[1] || (first.get(a[0]) ?? 0) - (first.get(b[0]) ?? 0),
  );
  const top = ranked[0];
  if (top === undefined) return { primary: { name: 'general', confidence: 0.3 }, secondary: [] };
  const threshold = Math.max(1, 0.2 * top[1]);
  const secondary = ranked
    .slice(1)
    .filter(([, s]) => s >= threshold)
    .slice(0, 3)
    .map(([name, s]) => ({ name, confidence: strength(s) }));
  return { primary: { name: top[0], confidence: strength(top[1]) }, secondary };
}

function keyTermsOf(text: string, found: readonly { index: number; text: string }[], skipped: readonly (readonly [number, number])[]): string[] {
  // Library and integration names overlap ("s3" and "s3 buckets"): keep the longest at each place.
  const phrases = [...found].sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const candidates: { index: number; term: string }[] = [];
  const spans: [number, number][] = [];
  for (const p of phrases) {
    const last = spans[spans.length - 1];
    if (last !== undefined && p.index < last[1]) continue;
    spans.push([p.index, p.index + p.text.length]);
    candidates.push({ index: p.index, term: p.text });
  }
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const w = m[0];
    if (w.length <= 3 || NOT_KEY_TERMS.has(w) || EN_STOPWORDS.has(w)) continue;
    const at = m.index;
    // Inside a library's name, or a prohibition ("without modifying files" names nothing the agent works on).
    if (spans.some(([s, e]) => at >= s && at < e) || skipped.some(([s, e]) => at >= s && at < e)) continue;
    candidates.push({ index: at, term: w });
  }
  candidates.sort((a, b) => a.index - b.index);
  const terms: string[] = [];
  for (const c of candidates) {
    if (!terms.includes(c.term)) terms.push(c.term);
    if (terms.length === 8) break;
  }
  return terms;
}

function languageOf(text: string, hasEvidence: boolean): 'en' | 'other' {
  let words = 0;
  let stop = 0;
  let foreign = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    words++;
    if (EN_STOPWORDS.has(m[0])) stop++;
    else if (OTHER_STOPWORDS.has(m[0])) foreign++;
  }
  if (words === 0) return 'other';
  const nonAscii = text.match(NON_ASCII)?.length ?? 0;
  if (nonAscii > 0.3 * text.length) return 'other';
  if (stop >= 1 && stop >= 0.1 * words) return 'en';
  if (foreign > 0) return 'other';
  // Terse English ("Cut Postgres query latency") has no stopwords but does hit the keyword tables.
  return nonAscii === 0 && hasEvidence ? 'en' : 'other';
}

/** Reads a requirement into domains, capabilities, constraints, scale, frameworks and more. No I/O. */
export function analyze(requirement: string): Analysis {
  const normalized = normalizeRequirement(String(requirement));
  // Sentences that instruct the factory ("Give it full Bash access") grant nothing and name nothing.
  const task = withoutInstructions(normalized).text;
  // Same length unless a lowercase mapping expands a character; then quote from the lowercase text.
  const text = task.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  const quote = (index: number, words: string): string =>
    text.length === task.length ? task.slice(index, index + words.length) : words;

  // Constraints first: verbs inside a prohibition ("must never write files") are not capabilities.
  const constraints: Constraint[] = [];
  const negated: [number, number][] = [];
  for (const m of scanConstraints(text)) {
    negated.push([m.index, m.index + m.text.length]);
    if (!constraints.some((c) => c.kind === m.value)) constraints.push({ kind: m.value, text: quote(m.index, m.text) });
  }
  // "It should never deploy anything": a forbidden action is no capability either.
  NEGATED_ACTION.lastIndex = 0;
  for (let m = NEGATED_ACTION.exec(text); m !== null; m = NEGATED_ACTION.exec(text)) negated.push([m.index, m.index + m[0].length]);
  // "Create a subagent that …", "Please build an agent to …": those verbs ask for the agent, not its work.
  const framing = framingLength(text);
  const outsideTheTask = (i: number): boolean => i < framing || negated.some(([s, e]) => i >= s && i < e);
  const has = (kind: Constraint['kind']): boolean => constraints.some((c) => c.kind === kind);

  const capabilities: Capability[] = [];
  for (const m of scanCapabilities(text)) {
    if (m.value !== null && !outsideTheTask(m.index) && !capabilities.includes(m.value)) capabilities.push(m.value);
  }
  const detectedCapabilities = capabilities.length > 0;
  if (!detectedCapabilities) capabilities.push('analyze');

  const libMatches = matchLibraries(text);
  const frameworks: Framework[] = [];
  for (const m of libMatches) {
    if (!frameworks.some((f) => f.libraryId === m.value.libraryId)) {
      frameworks.push({ name: m.value.name, libraryId: m.value.libraryId, domain: m.value.domain });
    }
  }

  const integrationMatches = scanIntegrations(text);
  const integrations = [...new Set(integrationMatches.map((m) => m.value))];

  let scale: Scale = 'small';
  for (const m of scanScale(text)) {
    if (m.value === 'enterprise') {
      scale = 'enterprise';
      break;
    }
    scale = 'medium';
  }

  const domains = scoreDomains(text, libMatches);
  const patterns: string[] = [];
  const addPattern = (p: string): void => {
    if (!patterns.includes(p)) patterns.push(p);
  };
  for (const m of scanPatterns(text)) addPattern(m.value);
  for (const f of frameworks) {
    const p = LIBRARY_PATTERNS[f.libraryId];
    if (p !== undefined) addPattern(p);
  }
  if (domains.secondary.length >= 2) addPattern('multi-domain');

  const signals = new Set<Signal>();
  const vagueWords: string[] = [];
  for (const m of scanSignals(text)) {
    if (outsideTheTask(m.index)) continue;
    signals.add(m.value);
    if (m.value === 'vague' && !vagueWords.includes(m.text)) vagueWords.push(m.text);
  }

  const readOnly = has('read-only') || has('no-modify');
  const needsWeb = !has('no-network') && (capabilities.includes('research') || signals.has('web'));
  // Read-only agents get a shell only when told to run something (tests, linters, benchmarks):
  // a shell can change files, so inferring it from capabilities alone would undo the constraint.
  const shellByCapability = capabilities.some((c) => SHELL_CAPABILITIES.has(c));
  const needsShell = !has('no-exec') && (readOnly ? signals.has('run') : shellByCapability || signals.has('run') || signals.has('cli'));

  const hasEvidence = detectedCapabilities || domains.primary.name !== 'general' || frameworks.length > 0;
  const language = languageOf(text, hasEvidence);

  const ambiguities: string[] = [];
  const codeish = signals.has('code') || signals.has('cli') || CODE_DOMAINS.has(domains.primary.name as Domain);
  if (frameworks.length === 0 && codeish && capabilities.some((c) => CODE_CAPABILITIES.has(c))) {
    ambiguities.push('Which language or framework is the code in?');
  }
  if (!hasEvidence) {
    ambiguities.push('What should the agent do? The requirement names no task or technology that analysis recognizes.');
  } else if (!signals.has('format') && capabilities.some((c) => REPORTING_CAPABILITIES.has(c))) {
    ambiguities.push('What should the output look like: a Markdown report, inline comments, JSON or a checklist?');
  }
  for (const w of vagueWords.slice(0, 2)) ambiguities.push(`What exactly is in scope where the requirement says "${w}"?`);
  if (capabilities.includes('optimize') && !signals.has('criterion')) {
    ambiguities.push('What target defines success for the optimization (a latency, size or cost budget)?');
  }
  if (capabilities.includes('integrate') && integrations.length === 0 && frameworks.length === 0) {
    ambiguities.push('Which external systems should it connect to, and through which APIs?');
  }

  const keyTerms = keyTermsOf(text, [...libMatches, ...integrationMatches].map((m) => ({ index: m.index, text: m.text })), negated);

  return {
    requirement: normalized,
    language,
    domains,
    capabilities,
    constraints,
    scale,
    frameworks,
    integrations,
    patterns,
    ambiguities: ambiguities.slice(0, 4),
    keyTerms,
    needsWeb,
    needsShell,
  };
}
