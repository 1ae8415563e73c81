import { UAParser } from 'ua-parser-js';

/** How a session described its device: the name its client gave, and its user agent. */
export interface DeviceDescription {
  deviceName: string | null;
  userAgent: string | null;
}

/**
 * A device as a person recognises it: "Chrome on macOS", "Mobile Safari on iOS". A name the
 * client chose ("Ada's phone") wins, unless it is only the start of the user agent (what
 * older web pages sent as the name). A user agent no parser knows (an API client) is named by
 * its first product token ("curl"). Null when nothing is known.
 */
export function describeDevice(device: DeviceDescription | null): string | null {
  if (!device) return null;
  const given = device.deviceName?.trim() || null;
  const ua = device.userAgent?.trim() || null;
  if (given && !(ua && ua.startsWith(given))) return given;
  return (ua && nameFromUserAgent(ua)) ?? given;
}

/** How people call the systems UAParser.js 1.x names otherwise. */
const OS_NAMES: Record<string, string> = { 'Mac OS': 'macOS' };

function nameFromUserAgent(ua: string): string | null {
  const { browser, os: system } = UAParser(ua);
  const os = system.name && (OS_NAMES[system.name] ?? system.name);
  if (browser.name && os) return `${browser.name} on ${os}`;
  if (browser.name || os) return browser.name ?? os ?? null;
  return /^[A-Za-z][\w.-]{0,40}/.exec(ua)?.[0] ?? null;
}
