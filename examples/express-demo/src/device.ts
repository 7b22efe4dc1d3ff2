/** What kind of client a session was created from, for the icon. */
export type DeviceKind = 'desktop' | 'mobile' | 'cli';

/** A readable description of a User-Agent: "Firefox on macOS", "curl", … */
export interface Device {
  readonly label: string;
  readonly kind: DeviceKind;
}

const BROWSERS: readonly [RegExp, string][] = [
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Version\/[\d.]+.*Safari\//, 'Safari'],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

const TOOLS: readonly [RegExp, string][] = [
  [/^curl\//, 'curl'],
  [/^Wget\//, 'Wget'],
  [/^HTTPie\//, 'HTTPie'],
  [/PostmanRuntime\//, 'Postman'],
  [/^node|undici/, 'Node.js'],
  [/^python-requests|^Python/, 'Python'],
];

function firstMatch(table: readonly [RegExp, string][], ua: string): string | undefined {
  return table.find(([pattern]) => pattern.test(ua))?.[1];
}

/** Describes a User-Agent header well enough to tell one's devices apart. */
export function describeDevice(userAgent: string | undefined): Device {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return { label: 'Unknown client', kind: 'cli' };
  const tool = firstMatch(TOOLS, ua);
  if (tool !== undefined) return { label: tool, kind: 'cli' };
  const browser = firstMatch(BROWSERS, ua) ?? 'Browser';
  const system = firstMatch(SYSTEMS, ua);
  const mobile = /Mobi|iPhone|iPod|Android(?!.*Tablet)/.test(ua);
  return {
    label: system === undefined ? browser : `${browser} on ${system}`,
    kind: mobile ? 'mobile' : 'desktop',
  };
}
