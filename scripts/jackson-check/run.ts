/**
 * Runs SpringJsonCheck (java/SpringJsonCheck.java): real Jackson, configured the way Spring Data
 * Redis 3.x configures `GenericJackson2JsonRedisSerializer`, reading the JSON our
 * Spring-compatible mode writes and writing the values Java services store. Tests in several
 * packages use it; javac and the JVM start once per call.
 *
 * Needs `javac`, `java` and Debian's Jackson 2 jars (`apt-get install -y default-jdk-headless
 * libjackson2-databind-java`), or `JACKSON_CLASSPATH` naming the three jars.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const JAVA_INSTALL_HINT = 'apt-get install -y default-jdk-headless libjackson2-databind-java';
const javaDir = fileURLToPath(new URL('./java/', import.meta.url));

/** Where Java and Jackson are, or why they cannot be used here. */
export type JavaSetup = { ok: true; classpath: string } | { ok: false; reason: string };

export function findJava(): JavaSetup {
  const onPath = (cmd: string) =>
    (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, cmd)));
  const tools = ['javac', 'java'].filter((cmd) => !onPath(cmd));
  if (tools.length > 0) return { ok: false, reason: `${tools.join(' and ')} not found on PATH` };
  const jars =
    process.env.JACKSON_CLASSPATH?.split(delimiter) ??
    ['jackson-databind', 'jackson-core', 'jackson-annotations'].map((name) => `/usr/share/java/${name}.jar`);
  const missing = jars.filter((jar) => !existsSync(jar));
  if (missing.length > 0) return { ok: false, reason: `Jackson jars missing: ${missing.join(', ')}` };
  return { ok: true, classpath: jars.join(delimiter) };
}

/** One value for Java to read. */
export interface JavaRequest {
  id: string;
  /** `generic`: GenericJackson2JsonRedisSerializer's own mapper; `security`: one with Spring Security's modules. */
  mapper: 'generic' | 'security';
  json: string;
}

/** What Java made of a request: the Java class tree it read (`sig`) and how it writes it back. */
export interface JavaAnswer {
  id: string;
  ok: boolean;
  sig?: string;
  json?: string;
  error?: string;
}

/** The result of one run: answers by request id, and the values Java wrote itself (by scenario). */
export interface JacksonCheckRun {
  answers: Map<string, JavaAnswer>;
  scenarios: Map<string, { generic: string; security: string }>;
  compileMs: number;
  runMs: number;
}

function runProcess(
  cmd: string,
  args: string[],
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input, 'utf8');
  });
}

function javaSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? javaSources(join(dir, entry.name))
      : entry.name.endsWith('.java')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Compiles SpringJsonCheck and runs it once over `requests`. */
export async function runJacksonCheck(
  java: { classpath: string },
  requests: readonly JavaRequest[],
): Promise<JacksonCheckRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'jackson-check-'));
  try {
    const started = performance.now();
    const compiled = await runProcess('javac', [
      '-nowarn',
      '-encoding',
      'UTF-8',
      '-d',
      workDir,
      '-cp',
      java.classpath,
      ...javaSources(javaDir),
    ]);
    if (compiled.code !== 0) throw new Error(`javac failed:\n${compiled.stderr}`);
    const compileMs = performance.now() - started;
    const input = requests.map((r) => JSON.stringify(r)).join('\n');
    const ran = await runProcess(
      'java',
      ['-XX:TieredStopAtLevel=1', '-cp', `${workDir}${delimiter}${java.classpath}`, 'SpringJsonCheck'],
      `${input}\n`,
    );
    if (ran.code !== 0) throw new Error(`SpringJsonCheck failed:\n${ran.stderr}`);
    const runMs = performance.now() - started - compileMs;
    const answers = new Map<string, JavaAnswer>();
    const scenarios = new Map<string, { generic: string; security: string }>();
    for (const line of ran.stdout.split('\n')) {
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as JavaAnswer & {
        scenario?: string;
        generic?: string;
        security?: string;
      };
      if (parsed.scenario !== undefined) {
        scenarios.set(parsed.scenario, {
          generic: parsed.generic as string,
          security: parsed.security as string,
        });
      } else {
        answers.set(parsed.id, parsed);
      }
    }
    return { answers, scenarios, compileMs, runMs };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
