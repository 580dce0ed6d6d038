/**
 * A tiny XML writer for the AWS Query family. Responses are built as plain objects whose keys are the wire
 * element names (`instanceId`, `reservationSet`); arrays become `<item>` lists as EC2 writes them.
 */
export type XmlValue =
  string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

// XML 1.0 cannot carry most control characters at all, even escaped, and console output may contain them.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(FORBIDDEN_IN_XML, '');
}

export function element(name: string, value: XmlValue, itemName = 'item'): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((v) => element(itemName, v, itemName)).join('')}</${name}>`;
  }
  if (typeof value === 'object') return `<${name}>${children(value, itemName)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function children(value: { [key: string]: XmlValue }, itemName = 'item'): string {
  return Object.entries(value)
    .map(([key, child]) => element(key, child, itemName))
    .join('');
}

/** `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`, the EC2 success shape. */
export function ec2Document(action: string, requestId: string, body: { [key: string]: XmlValue }): string {
  return `${PROLOG}<${action}Response xmlns="${EC2_NAMESPACE}"><requestId>${requestId}</requestId>${children(body)}</${action}Response>`;
}

/** EC2's error envelope (note `RequestID`, not `RequestId`). */
export function ec2ErrorDocument(code: string, message: string, requestId: string): string {
  return `${PROLOG}<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

/** The awsQuery shape STS uses: the body is nested in `<ActionResult>`, lists use `<member>`. */
export function stsDocument(action: string, requestId: string, result: { [key: string]: XmlValue }): string {
  return `${PROLOG}<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${children(result, 'member')}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function stsErrorDocument(
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return `${PROLOG}<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/**
 * The awsQuery envelope other Query services (Auto Scaling) share with STS, in their own namespace: the
 * result nested in `<ActionResult>` (absent for actions that return nothing), lists as `<member>`.
 */
export function awsQueryDocument(
  namespace: string,
  action: string,
  requestId: string,
  result: { [key: string]: XmlValue } | undefined,
): string {
  const body = result === undefined ? '' : `<${action}Result>${children(result, 'member')}</${action}Result>`;
  return `${PROLOG}<${action}Response xmlns="${namespace}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function awsQueryErrorDocument(
  namespace: string,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return `${PROLOG}<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
