// Which parameters a fine-tuning run trains: `--freeze PATTERN` and `--train-only PATTERN`, globs
// on parameter names ('*' any run of characters, dots included, '?' one character). Parameter
// names are not paths, so a small matcher rather than a file-glob library.
export interface FreezeOptions {
  readonly freeze?: readonly string[];
  readonly trainOnly?: readonly string[];
}

export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * A test for trained names: in --train-only (when given) and not in --freeze. Every pattern must
 * match one of `names`, so a typo is an error rather than a run that trains everything.
 */
export function trainableFilter(names: readonly string[], o: FreezeOptions): (name: string) => boolean {
  const compile = (flag: string, patterns: readonly string[] = []) =>
    patterns.map((p) => {
      const re = globToRegExp(p);
      if (!names.some((n) => re.test(n)))
        throw new Error(`${flag} '${p}' matches no parameter (they are: ${names.join(', ')})`);
      return re;
    });
  const frozen = compile('--freeze', o.freeze);
  const only = compile('--train-only', o.trainOnly);
  const trained = (name: string) =>
    (only.length === 0 || only.some((re) => re.test(name))) && !frozen.some((re) => re.test(name));
  if (!names.some(trained)) throw new Error('--freeze and --train-only leave no parameter to train');
  return trained;
}
