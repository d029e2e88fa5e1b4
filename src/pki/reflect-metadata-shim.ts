/**
 * Minimal `Reflect` metadata API for tsyringe, which @peculiar/x509 loads and which
 * throws at import time unless `Reflect.getMetadata` exists. The usual polyfill
 * (reflect-metadata) is not a dependency; tsyringe only calls getMetadata,
 * getOwnMetadata and defineMetadata (tsyringe/dist/esm2015/reflection-helpers.js).
 * Import this module before "@peculiar/x509"; it changes nothing if a polyfill is present.
 */
type MetadataStore = WeakMap<object, Map<unknown, unknown>>;

interface ReflectMetadata {
  getMetadata?: (key: unknown, target: object) => unknown;
  getOwnMetadata?: (key: unknown, target: object) => unknown;
  defineMetadata?: (key: unknown, value: unknown, target: object) => void;
  hasMetadata?: (key: unknown, target: object) => boolean;
}

function installShim(reflect: ReflectMetadata): void {
  const store: MetadataStore = new WeakMap();
  const own = (target: object) => store.get(target);
  reflect.getOwnMetadata = (key, target) => own(target)?.get(key);
  reflect.defineMetadata = (key, value, target) => {
    const map = own(target) ?? new Map<unknown, unknown>();
    map.set(key, value);
    store.set(target, map);
  };
  reflect.getMetadata = (key, target) => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
      const map = own(t);
      if (map?.has(key)) return map.get(key);
    }
    return undefined;
  };
  reflect.hasMetadata = (key, target) => reflect.getMetadata?.(key, target) !== undefined;
}

const reflect = Reflect as unknown as ReflectMetadata;
if (typeof reflect.getMetadata !== "function") installShim(reflect);
