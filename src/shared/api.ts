import type { EventChannel, EventPayload, InvokeChannel, InvokeRequest, InvokeResponse } from './contract';
import type { Result } from './result';

type Area<C extends string> = C extends `${infer A}:${string}` ? A : never;
type Verb<C extends string> = C extends `${string}:${infer V}` ? V : never;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;

type InvokeFn<C extends InvokeChannel> =
  undefined extends InvokeRequest<C>
    ? (request?: InvokeRequest<C>) => Promise<Result<InvokeResponse<C>>>
    : (request: InvokeRequest<C>) => Promise<Result<InvokeResponse<C>>>;

type InvokeApi = {
  [A in Area<InvokeChannel>]: {
    [C in InvokeChannel as C extends `${A}:${string}` ? Camel<Verb<C>> : never]: InvokeFn<C>;
  };
};

type EventApi = {
  [A in Area<EventChannel>]: {
    [C in EventChannel as C extends `${A}:${string}` ? `on${Capitalize<Camel<Verb<C>>>}` : never]: (
      listener: (payload: EventPayload<C>) => void,
    ) => () => void;
  };
};

type Merge<A, B> = {
  [K in keyof A | keyof B]: (K extends keyof A ? A[K] : unknown) & (K extends keyof B ? B[K] : unknown);
};

/** The whole of `window.quadraxis`: one method per invoke channel, one `onX` per event channel. */
export type QuadraxisApi = Merge<InvokeApi, EventApi>;
