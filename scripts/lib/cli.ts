/** Minimal, strict flag parsing for the operator scripts: unknown flags and missing values are errors. */
export class UsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(`${message}\n\nusage: ${usage}`);
    this.name = "UsageError";
  }
}

export interface FlagSpec {
  /** Flags that take a value, e.g. "network". */
  values: readonly string[];
  /** Boolean flags, e.g. "allow-deployer-roles". */
  switches: readonly string[];
  /** Flags that must be present. */
  required: readonly string[];
}

export function parseFlags(argv: readonly string[], spec: FlagSpec, usage: string) {
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument '${arg}'`, usage);
    const [name, inline] = arg.slice(2).split("=", 2);
    if (spec.switches.includes(name)) {
      switches.add(name);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`, usage);
      values[name] = value;
    } else {
      throw new UsageError(`unknown flag --${name}`, usage);
    }
  }
  for (const r of spec.required) if (!(r in values)) throw new UsageError(`--${r} is required`, usage);
  return { values, switches };
}

/** Runs `main`, printing a clear message and exiting non-zero on any error. */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (err: unknown) => {
      const e = err as Error;
      console.error(`error: ${e?.message ?? String(err)}`);
      process.exit(1);
    },
  );
}
