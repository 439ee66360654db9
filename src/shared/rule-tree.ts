import { allow } from 'graphql-shield';
import type { IRules } from 'graphql-shield';

/** A rule or a combination of rules (`and`, `or`, `chain`), as graphql-shield takes them. */
export type ShieldRule = Exclude<IRules, Record<string, unknown>>;

/** Rules by type, then by field. Every field is listed: what is not listed is denied by the fallback. */
export type RuleTree = Record<string, Record<string, ShieldRule>>;

/** Opens the named fields to everyone. Naming them one by one keeps a field added later closed. */
export function openFields(fields: string[]): Record<string, ShieldRule> {
  return Object.fromEntries(fields.map((field) => [field, allow]));
}

/** Merges the modules' trees; two modules giving a rule to the same field is a mistake worth failing on. */
export function mergeRuleTrees(...trees: RuleTree[]): RuleTree {
  const merged: RuleTree = {};
  for (const tree of trees) {
    for (const [type, fields] of Object.entries(tree)) {
      const target = (merged[type] ??= {});
      for (const [field, rule] of Object.entries(fields)) {
        if (field in target) throw new Error(`Two permission rules for ${type}.${field}`);
        target[field] = rule;
      }
    }
  }
  return merged;
}
