import type { Domain } from '../analyze.js';

/** A library or platform that analysis recognizes, with its Context7-style id. */
export interface LibraryEntry {
  /** Display name, e.g. "Next.js". */
  name: string;
  /** Context7-compatible id, e.g. "/vercel/next.js". */
  libraryId: string;
  /** Lowercase words or phrases that name it in a requirement (matched on word boundaries). */
  aliases: string[];
  /** The domain it belongs to (one of DOMAINS in analyze). */
  domain: string;
}

// Type-only import above: the domain names live in analyze, this keeps the catalog in step
// without a runtime import cycle.
const lib = (name: string, libraryId: string, domain: Domain, aliases: string[]): LibraryEntry => ({
  name,
  libraryId,
  aliases,
  domain,
});

/*
 * Aliases avoid common English words: "go", "express", "spark", "swift", "node" alone would match
 * ordinary prose, so they only count inside phrases ("golang", "express api", "apache spark").
 * A space in an alias also matches a hyphen ("react native" = "react-native").
 */
export const LIBRARIES: LibraryEntry[] = [
  // Frontend
  lib('React', '/facebook/react', 'frontend', ['react', 'reactjs', 'react.js']),
  lib('Next.js', '/vercel/next.js', 'frontend', ['next.js', 'nextjs', 'next js']),
  lib('Vue', '/vuejs/core', 'frontend', ['vue', 'vue.js', 'vuejs', 'vue 3']),
  lib('Nuxt', '/nuxt/nuxt', 'frontend', ['nuxt', 'nuxt.js', 'nuxtjs']),
  lib('Angular', '/angular/angular', 'frontend', ['angular', 'angularjs']),
  lib('Svelte', '/sveltejs/svelte', 'frontend', ['svelte']),
  lib('SvelteKit', '/sveltejs/kit', 'frontend', ['sveltekit', 'svelte kit']),
  lib('Astro', '/withastro/astro', 'frontend', ['astro', 'astro.js']),
  lib('Tailwind CSS', '/tailwindlabs/tailwindcss', 'frontend', ['tailwind', 'tailwindcss', 'tailwind css']),
  lib('Vite', '/vitejs/vite', 'frontend', ['vite', 'vitejs']),
  lib('Webpack', '/webpack/webpack', 'frontend', ['webpack']),
  lib('Redux', '/reduxjs/redux-toolkit', 'frontend', ['redux', 'redux toolkit', 'rtk query']),
  lib('Storybook', '/storybookjs/storybook', 'frontend', ['storybook']),
  lib('Three.js', '/mrdoob/three.js', 'frontend', ['three.js', 'threejs']),
  lib('Electron', '/electron/electron', 'frontend', ['electron', 'electron.js']),
  // Languages and runtimes
  lib('TypeScript', '/microsoft/typescript', 'frontend', ['typescript']),
  lib('JavaScript', '/mdn/content', 'frontend', ['javascript', 'ecmascript', 'es2022', 'es6']),
  lib('Node.js', '/nodejs/node', 'backend', ['node.js', 'nodejs', 'node js', 'node service', 'node backend', 'node app', 'node api']),
  lib('Deno', '/denoland/deno', 'backend', ['deno']),
  lib('Bun', '/oven-sh/bun', 'backend', ['bun runtime', 'bunjs', 'bun.js', 'bun.sh']),
  lib('Python', '/python/cpython', 'backend', ['python', 'python3', 'python 3']),
  lib('Go', '/golang/go', 'backend', [
    'golang', 'go service', 'go services', 'go code', 'go codebase', 'go microservice', 'go microservices',
    'go module', 'go modules', 'go backend', 'go api', 'go program', 'go programs', 'go project',
    'go application', 'go cli', 'go library', 'written in go', 'goroutine', 'goroutines',
  ]),
  lib('Rust', '/rust-lang/rust', 'backend', ['rust', 'rustlang', 'rust lang']),
  lib('Java', '/openjdk/jdk', 'backend', ['java', 'jvm', 'jdk']),
  lib('Kotlin', '/jetbrains/kotlin', 'backend', ['kotlin']),
  lib('Swift', '/swiftlang/swift', 'mobile', ['swift code', 'swift package', 'swift language', 'written in swift', 'swift app']),
  lib('PHP', '/php/doc-en', 'backend', ['php']),
  lib('Ruby', '/ruby/ruby', 'backend', ['ruby']),
  lib('C++', '/isocpp/cppcoreguidelines', 'backend', ['c++', 'cpp', 'cplusplus']),
  lib('.NET', '/dotnet/docs', 'backend', ['.net', 'dotnet', 'c#', 'csharp']),
  // Backend frameworks
  lib('Express', '/expressjs/express', 'backend', ['express.js', 'expressjs', 'express api', 'express server', 'express app']),
  lib('NestJS', '/nestjs/nest', 'backend', ['nestjs', 'nest.js']),
  lib('Hono', '/honojs/hono', 'backend', ['hono']),
  lib('FastAPI', '/fastapi/fastapi', 'backend', ['fastapi', 'fast api']),
  lib('Django', '/django/django', 'backend', ['django']),
  lib('Django REST framework', '/encode/django-rest-framework', 'api-design', ['django rest framework', 'drf']),
  lib('Flask', '/pallets/flask', 'backend', ['flask']),
  lib('Pydantic', '/pydantic/pydantic', 'backend', ['pydantic']),
  lib('Celery', '/celery/celery', 'backend', ['celery']),
  lib('Spring Boot', '/spring-projects/spring-boot', 'backend', ['spring boot', 'springboot', 'spring framework']),
  lib('Ruby on Rails', '/rails/rails', 'backend', ['ruby on rails', 'rails app', 'rails api', 'rails application', 'rails codebase', 'rails 7', 'ror']),
  lib('Laravel', '/laravel/docs', 'backend', ['laravel']),
  lib('ASP.NET Core', '/dotnet/aspnetcore', 'backend', ['asp.net core', 'asp.net', 'aspnet core', 'aspnetcore']),
  lib('Socket.IO', '/socketio/socket.io', 'backend', ['socket.io', 'socketio']),
  lib('BullMQ', '/taskforcesh/bullmq', 'backend', ['bullmq']),
  lib('tRPC', '/trpc/trpc', 'api-design', ['trpc']),
  lib('Zod', '/colinhacks/zod', 'backend', ['zod']),
  // APIs
  lib('GraphQL', '/graphql/graphql-js', 'api-design', ['graphql']),
  lib('OpenAPI', '/oai/openapi-specification', 'api-design', ['openapi', 'swagger', 'open api']),
  lib('gRPC', '/grpc/grpc', 'api-design', ['grpc', 'protobuf', 'protocol buffers']),
  lib('Stripe', '/stripe/stripe-node', 'backend', ['stripe']),
  // Databases and ORMs
  lib('PostgreSQL', '/postgres/postgres', 'database', ['postgresql', 'postgres', 'psql']),
  lib('MySQL', '/mysql/mysql-server', 'database', ['mysql', 'mariadb']),
  lib('SQLite', '/sqlite/sqlite', 'database', ['sqlite', 'sqlite3']),
  lib('MongoDB', '/mongodb/docs', 'database', ['mongodb', 'mongo']),
  lib('Mongoose', '/automattic/mongoose', 'database', ['mongoose']),
  lib('Redis', '/redis/redis', 'database', ['redis']),
  lib('Elasticsearch', '/elastic/elasticsearch', 'database', ['elasticsearch', 'elastic search', 'opensearch']),
  lib('Cassandra', '/apache/cassandra', 'database', ['cassandra', 'apache cassandra']),
  lib('DynamoDB', '/awsdocs/amazon-dynamodb-developer-guide', 'database', ['dynamodb', 'dynamo db']),
  lib('Prisma', '/prisma/prisma', 'database', ['prisma']),
  lib('Drizzle ORM', '/drizzle-team/drizzle-orm', 'database', ['drizzle orm', 'drizzle-orm']),
  lib('SQLAlchemy', '/sqlalchemy/sqlalchemy', 'database', ['sqlalchemy']),
  lib('Supabase', '/supabase/supabase', 'database', ['supabase']),
  lib('Firebase', '/firebase/firebase-js-sdk', 'mobile', ['firebase', 'firestore']),
  // Data engineering
  lib('Apache Kafka', '/apache/kafka', 'data-engineering', ['kafka', 'apache kafka']),
  lib('RabbitMQ', '/rabbitmq/rabbitmq-server', 'backend', ['rabbitmq', 'rabbit mq', 'amqp']),
  lib('Apache Airflow', '/apache/airflow', 'data-engineering', ['airflow', 'apache airflow']),
  lib('dbt', '/dbt-labs/dbt-core', 'data-engineering', ['dbt', 'dbt core', 'dbt models']),
  lib('Apache Spark', '/apache/spark', 'data-engineering', [
    'apache spark', 'pyspark', 'spark job', 'spark jobs', 'spark sql', 'spark cluster', 'spark streaming',
  ]),
  lib('Apache Flink', '/apache/flink', 'data-engineering', ['flink', 'apache flink']),
  lib('Databricks', '/databricks/databricks-sdk-py', 'data-engineering', ['databricks']),
  lib('Snowflake', '/snowflakedb/snowpark-python', 'data-engineering', ['snowflake', 'snowpark']),
  lib('BigQuery', '/googleapis/python-bigquery', 'data-engineering', ['bigquery', 'big query']),
  lib('pandas', '/pandas-dev/pandas', 'data-engineering', ['pandas']),
  lib('NumPy', '/numpy/numpy', 'machine-learning', ['numpy']),
  // Machine learning and LLMs
  lib('PyTorch', '/pytorch/pytorch', 'machine-learning', ['pytorch', 'torch']),
  lib('TensorFlow', '/tensorflow/tensorflow', 'machine-learning', ['tensorflow', 'tf.keras']),
  lib('Keras', '/keras-team/keras', 'machine-learning', ['keras']),
  lib('scikit-learn', '/scikit-learn/scikit-learn', 'machine-learning', ['scikit-learn', 'sklearn', 'scikit learn']),
  lib('Hugging Face Transformers', '/huggingface/transformers', 'machine-learning', ['hugging face', 'huggingface', 'transformers library']),
  lib('LangChain', '/langchain-ai/langchain', 'machine-learning', ['langchain']),
  lib('LlamaIndex', '/run-llama/llama_index', 'machine-learning', ['llamaindex', 'llama index', 'llama_index']),
  lib('Anthropic SDK', '/anthropics/anthropic-sdk-python', 'machine-learning', ['anthropic sdk', 'anthropic api', 'claude api', 'anthropic']),
  lib('Claude Code', '/anthropics/claude-code', 'machine-learning', ['claude code', 'claude-code']),
  lib('OpenAI SDK', '/openai/openai-python', 'machine-learning', ['openai', 'openai api']),
  lib('Model Context Protocol', '/modelcontextprotocol/typescript-sdk', 'machine-learning', ['mcp', 'model context protocol', 'mcp server']),
  lib('MLflow', '/mlflow/mlflow', 'machine-learning', ['mlflow']),
  // DevOps and cloud
  lib('Docker', '/docker/docs', 'devops', ['docker', 'dockerfile', 'docker compose', 'docker-compose']),
  lib('Kubernetes', '/kubernetes/kubernetes', 'devops', ['kubernetes', 'k8s', 'kubectl']),
  lib('Helm', '/helm/helm', 'devops', ['helm', 'helm chart', 'helm charts']),
  lib('Argo CD', '/argoproj/argo-cd', 'devops', ['argocd', 'argo cd']),
  lib('Terraform', '/hashicorp/terraform', 'cloud-infrastructure', ['terraform', 'hcl', 'opentofu']),
  lib('Pulumi', '/pulumi/pulumi', 'cloud-infrastructure', ['pulumi']),
  lib('Ansible', '/ansible/ansible', 'devops', ['ansible', 'ansible playbook', 'ansible playbooks']),
  lib('AWS', '/aws/aws-cli', 'cloud-infrastructure', [
    'aws', 'amazon web services', 's3', 'ec2', 'aws lambda', 'cloudformation', 'iam policies', 'eks', 'ecs',
  ]),
  lib('Google Cloud', '/googleapis/google-cloud-node', 'cloud-infrastructure', ['gcp', 'google cloud', 'google cloud platform', 'gke', 'cloud run']),
  lib('Azure', '/microsoftdocs/azure-docs', 'cloud-infrastructure', ['azure', 'aks', 'microsoft azure']),
  lib('Cloudflare Workers', '/cloudflare/workers-sdk', 'cloud-infrastructure', ['cloudflare', 'cloudflare workers', 'wrangler']),
  lib('Nginx', '/nginx/nginx', 'devops', ['nginx']),
  lib('GitHub Actions', '/actions/toolkit', 'devops', ['github actions', 'gh actions', 'github workflow', 'github workflows']),
  lib('GitLab CI', '/gitlab-org/gitlab', 'devops', ['gitlab ci', 'gitlab-ci.yml', 'gitlab pipelines']),
  lib('Jenkins', '/jenkinsci/jenkins', 'devops', ['jenkins', 'jenkinsfile']),
  // Testing
  lib('Playwright', '/microsoft/playwright', 'testing-qa', ['playwright']),
  lib('Vitest', '/vitest-dev/vitest', 'testing-qa', ['vitest']),
  lib('Jest', '/jestjs/jest', 'testing-qa', ['jest']),
  lib('pytest', '/pytest-dev/pytest', 'testing-qa', ['pytest']),
  lib('Cypress', '/cypress-io/cypress', 'testing-qa', ['cypress']),
  lib('Selenium', '/seleniumhq/selenium', 'testing-qa', ['selenium', 'webdriver']),
  lib('Testing Library', '/testing-library/react-testing-library', 'testing-qa', ['testing library', 'react testing library']),
  lib('k6', '/grafana/k6', 'performance', ['k6', 'grafana k6']),
  // Observability
  lib('Prometheus', '/prometheus/prometheus', 'observability', ['prometheus', 'promql']),
  lib('Grafana', '/grafana/grafana', 'observability', ['grafana']),
  lib('OpenTelemetry', '/open-telemetry/opentelemetry-js', 'observability', ['opentelemetry', 'open telemetry', 'otel']),
  lib('Sentry', '/getsentry/sentry', 'observability', ['sentry']),
  lib('Datadog', '/datadog/documentation', 'observability', ['datadog']),
  // Security, accessibility, code quality
  lib('OWASP', '/owasp/cheatsheetseries', 'security', ['owasp', 'owasp top 10', 'owasp asvs']),
  lib('Semgrep', '/semgrep/semgrep', 'security', ['semgrep']),
  lib('Trivy', '/aquasecurity/trivy', 'security', ['trivy']),
  lib('WCAG', '/w3c/wcag', 'accessibility', ['wcag', 'wcag 2.1', 'wcag 2.2', 'wai-aria']),
  lib('axe-core', '/dequelabs/axe-core', 'accessibility', ['axe-core', 'axe core']),
  lib('ESLint', '/eslint/eslint', 'code-review', ['eslint']),
  lib('Prettier', '/prettier/prettier', 'code-review', ['prettier']),
  lib('Ruff', '/astral-sh/ruff', 'code-review', ['ruff']),
  // Mobile and games
  lib('Flutter', '/flutter/flutter', 'mobile', ['flutter', 'dart']),
  lib('React Native', '/facebook/react-native', 'mobile', ['react native']),
  lib('Expo', '/expo/expo', 'mobile', ['expo']),
  lib('SwiftUI', '/apple/swiftui', 'mobile', ['swiftui', 'swift ui']),
  lib('Android', '/androidx/androidx', 'mobile', ['android', 'jetpack compose']),
  lib('Unity', '/unity-technologies/unitycsreference', 'game-development', ['unity', 'unity3d']),
  lib('Unreal Engine', '/epicgames/unrealengine', 'game-development', ['unreal engine', 'unreal', 'ue5']),
  lib('Godot', '/godotengine/godot', 'game-development', ['godot', 'gdscript']),
  // Documentation
  lib('Docusaurus', '/facebook/docusaurus', 'documentation', ['docusaurus']),
  lib('MkDocs', '/mkdocs/mkdocs', 'documentation', ['mkdocs']),
];

/** One phrase found in a text: what it stands for, where it starts and the words as written. */
export interface PhraseMatch<T> {
  value: T;
  index: number;
  text: string;
}

/** Latin, Greek and Cyrillic letters beyond ASCII: "prüft" must not read as "pr". */
export const LATIN_EXTRA = '\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Spaces and hyphens are the same in phrases: "react-native" is "react native". */
const phraseKey = (s: string): string => s.replace(/-/g, ' ');

/**
 * Compiles lowercase phrases into one regex, once. Longest phrases first so "react native" wins
 * over "react"; boundaries are letters/digits so "c#" and ".net" still match, while "app.vue" or
 * "reactive" do not.
 */
export function compilePhraseMatcher<T>(pairs: ReadonlyArray<readonly [string, T]>): (text: string) => PhraseMatch<T>[] {
  const byKey = new Map<string, T>();
  for (const [phrase, value] of pairs) byKey.set(phraseKey(phrase), value);
  const sources = [...byKey.keys()]
    .sort((a, b) => b.length - a.length)
    .map((k) => escapeRegExp(k).replace(/ /g, '[ -]'));
  const re = new RegExp(`(?<![a-z0-9_.${LATIN_EXTRA}])(?:${sources.join('|')})(?![a-z0-9_${LATIN_EXTRA}]|\\.[a-z0-9])`, 'g');
  return (text) => {
    const found: PhraseMatch<T>[] = [];
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const value = byKey.get(phraseKey(m[0]));
      if (value !== undefined) found.push({ value, index: m.index, text: m[0] });
    }
    return found;
  };
}

const scanLibraries = compilePhraseMatcher(LIBRARIES.flatMap((e) => e.aliases.map((a) => [a, e] as const)));

/** Every alias occurrence in normalized lowercase text, in order (repeats included). */
/** Each library's aliases by its display name ("PostgreSQL" → postgres, psql, …), for readers of an analysis's frameworks. */
export const ALIASES_BY_NAME: ReadonlyMap<string, readonly string[]> = new Map(LIBRARIES.map((l) => [l.name, l.aliases]));

export function matchLibraries(normalizedLowercaseText: string): PhraseMatch<LibraryEntry>[] {
  return scanLibraries(normalizedLowercaseText);
}

/** The libraries a normalized lowercase text names, each once, in order of first appearance. */
export function findLibraries(normalizedLowercaseText: string): LibraryEntry[] {
  const seen = new Set<LibraryEntry>();
  for (const m of scanLibraries(normalizedLowercaseText)) seen.add(m.value);
  return [...seen];
}
