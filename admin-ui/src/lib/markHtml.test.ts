import { describe, expect, it } from 'vitest';
import { onlyMarkTags } from './markHtml';

describe('onlyMarkTags', () => {
  it('keeps bare <mark> and escaped text', () => {
    expect(onlyMarkTags('a <mark>b</mark> &lt;script&gt; &amp; c')).toBe('a <mark>b</mark> &lt;script&gt; &amp; c');
  });

  it('drops every other tag, attributes on <mark>, comments and unterminated tags', () => {
    expect(onlyMarkTags('<script>x()</script><mark onclick="x()">m</mark><MARK>n</MARK><!-- c --><b>t</b><img src=x onerror=x()')).toBe('x()m</mark>nt');
    expect(onlyMarkTags('<svg/onload=x()>ok<mark/>')).toBe('ok');
    expect(onlyMarkTags('<a href="javascript:x()">link</a>')).toBe('link');
  });
});
