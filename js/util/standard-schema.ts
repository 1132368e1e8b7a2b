/**
 * The Standard Schema interface (standardschema.dev), kept here as its authors recommend so that
 * zod, valibot, arktype and any other conforming library validate messages with no dependency.
 */

/** A schema that conforms to Standard Schema v1. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema interface. */
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

/** The types of the Standard Schema interface (standardschema.dev, v1). */
export declare namespace StandardSchemaV1 {
  /** What a schema library puts under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    /** The version of the interface (1). */
    readonly version: 1;
    /** The schema library's name. */
    readonly vendor: string;
    /** Validates a value. */
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** The input and output types, for inference only. */
    readonly types?: Types<Input, Output> | undefined;
  }
  /** What validation returns. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  /** A value that passed. */
  export interface SuccessResult<Output> {
    /** The value, as the schema outputs it. */
    readonly value: Output;
    /** No issues. */
    readonly issues?: undefined;
  }
  /** A value that did not pass. */
  export interface FailureResult {
    /** What is wrong with it. */
    readonly issues: ReadonlyArray<Issue>;
  }
  /** One thing wrong with a value. */
  export interface Issue {
    /** What is wrong. */
    readonly message: string;
    /** Where in the value. */
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  /** One step of an issue's path. */
  export interface PathSegment {
    /** The key of the step. */
    readonly key: PropertyKey;
  }
  /** The input and output types of a schema. */
  export interface Types<Input = unknown, Output = Input> {
    /** What the schema takes. */
    readonly input: Input;
    /** What it gives. */
    readonly output: Output;
  }
  /** The output type of a schema. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<
    Schema['~standard']['types']
  >['output'];
}
