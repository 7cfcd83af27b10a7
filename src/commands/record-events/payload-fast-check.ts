import { getMetadataStorage } from 'class-validator';

// Says only "certainly valid", read off the DTO decorators, so it may pass over a valid payload but never accept an invalid one (see docs/decisions.md, "Moved from code comments").

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
type ValueCheck = (value: unknown) => boolean;
type PayloadCheck = (data: Record<string, unknown>) => boolean;

/** A check per known decorator, as strict as class-validator's or stricter (see docs/decisions.md, "Moved from code comments"). */
function valueCheck(m: ValidationMetadata): ValueCheck | undefined {
  const c = m.constraints ?? [];
  switch (m.name) {
    case 'isString':
      return (v) => typeof v === 'string';
    case 'isBoolean':
      return (v) => typeof v === 'boolean';
    case 'isIn':
      return Array.isArray(c[0]) ? (v) => (c[0] as unknown[]).some((allowed) => allowed === v) : undefined;
    case 'maxLength':
      return typeof c[0] === 'number' ? (v) => typeof v === 'string' && v.length <= (c[0] as number) : undefined;
    case 'matches':
      return c[0] instanceof RegExp && !c[0].global && !c[0].sticky && c[1] === undefined ? (v) => typeof v === 'string' && (c[0] as RegExp).test(v) : undefined;
    default:
      return undefined;
  }
}

/** The check of a DTO's decorators, or undefined when one of them is not known here (class-validator decides). */
export function compilePayloadCheck(dto: abstract new () => object): PayloadCheck | undefined {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byProperty = new Map<string, { optional: boolean; checks: ValueCheck[] }>();
  for (const m of metadata) {
    // groups, `each` or `always` change when a decorator applies: leave those DTOs to class-validator
    if (m.each || m.always || (m.groups?.length ?? 0) > 0) return undefined;
    const property = byProperty.get(m.propertyName) ?? { optional: false, checks: [] };
    byProperty.set(m.propertyName, property);
    if (m.type === 'conditionalValidation' && m.name === 'isOptional') {
      property.optional = true;
      continue;
    }
    if (m.type !== 'customValidation') return undefined;
    const check = valueCheck(m);
    if (!check) return undefined;
    property.checks.push(check);
  }
  const properties = [...byProperty].map(([name, p]) => ({ name, ...p }));
  return (data) => {
    for (const { name, optional, checks } of properties) {
      const value = Object.hasOwn(data, name) ? data[name] : undefined;
      // IsOptional skips every other decorator when the value is null or undefined
      if (optional && (value === undefined || value === null)) continue;
      for (const check of checks) if (!check(value)) return false;
    }
    return true;
  };
}
