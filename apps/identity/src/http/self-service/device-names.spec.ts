import { describeDevice } from './device-names';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const FIREFOX_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

describe('describeDevice', () => {
  it.each([
    [CHROME_MAC, 'Chrome on macOS'],
    [SAFARI_IPHONE, 'Mobile Safari on iOS'],
    [FIREFOX_WINDOWS, 'Firefox on Windows'],
    ['curl/8.5.0', 'curl'],
    ['node-superagent/3.8.3', 'node-superagent'],
  ])('names %j as %j', (userAgent, name) => {
    expect(describeDevice({ deviceName: null, userAgent })).toBe(name);
  });

  it("prefers the name the client chose, unless it is only the user agent's start", () => {
    expect(describeDevice({ deviceName: "Ada's phone", userAgent: SAFARI_IPHONE })).toBe(
      "Ada's phone",
    );
    expect(describeDevice({ deviceName: CHROME_MAC.slice(0, 100), userAgent: CHROME_MAC })).toBe(
      'Chrome on macOS',
    );
  });

  it('answers null when nothing is known', () => {
    expect(describeDevice(null)).toBeNull();
    expect(describeDevice({ deviceName: null, userAgent: null })).toBeNull();
    expect(describeDevice({ deviceName: '  ', userAgent: '' })).toBeNull();
    expect(describeDevice({ deviceName: 'laptop', userAgent: null })).toBe('laptop');
  });
});
