// Jest's asymmetric matchers, typed `unknown`: @types/jest declares `expect.any` and
// `expect.stringContaining` as returning `any`, which the type-checked lint refuses as a property
// value in the object literals given to toEqual / toMatchObject. Same matchers, same checks.

/** `expect.any(String)`: any string. */
export const anyString = (): unknown => expect.any(String);

/** `expect.stringContaining(text)`: a string that contains `text`. */
export const stringContaining = (text: string): unknown => expect.stringContaining(text);
