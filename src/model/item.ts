/**
 * Items as DynamoDB holds them: low-level attribute values, never unmarshalled. The data model every
 * layer shares; it imports nothing.
 */
/**
 * Binary data: bytes, as the AWS SDK returns them, or base64 text, as DynamoDB's JSON carries them.
 * The copy's data path passes the base64 text through untouched; both forms mean the same bytes.
 */
export type Binary = Uint8Array | string;

interface NoValue {
  S?: never;
  N?: never;
  B?: never;
  SS?: never;
  NS?: never;
  BS?: never;
  M?: never;
  L?: never;
  NULL?: never;
  BOOL?: never;
  $unknown?: never;
}

/**
 * One low-level attribute value, exactly one member set. The SDK's AttributeValue, except that binary
 * may be base64 text: numbers stay strings, sets stay sets, nothing is ever unmarshalled.
 */
export type AttributeValue =
  | (Omit<NoValue, 'S'> & { S: string })
  | (Omit<NoValue, 'N'> & { N: string })
  | (Omit<NoValue, 'B'> & { B: Binary })
  | (Omit<NoValue, 'SS'> & { SS: string[] })
  | (Omit<NoValue, 'NS'> & { NS: string[] })
  | (Omit<NoValue, 'BS'> & { BS: Binary[] })
  | (Omit<NoValue, 'M'> & { M: AttributeMap })
  | (Omit<NoValue, 'L'> & { L: AttributeValue[] })
  | (Omit<NoValue, 'NULL'> & { NULL: boolean })
  | (Omit<NoValue, 'BOOL'> & { BOOL: boolean })
  // The SDK's type admits members newer than it knows; ours does too, so SDK items are Items.
  | (Omit<NoValue, '$unknown'> & { $unknown: [string, unknown] });

/** A map of attribute values by name: an item, a key, or the value of an `M` attribute. */
export interface AttributeMap {
  [name: string]: AttributeValue;
}

/** One item exactly as DynamoDB sends it: low-level attribute values, never unmarshalled. */
export type Item = AttributeMap;
/** The primary-key attributes of an item (also the shape of a LastEvaluatedKey). */
export type Key = Record<string, AttributeValue>;
