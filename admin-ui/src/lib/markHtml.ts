// Search hits come from the server as HTML in which only <mark> is markup and all else is
// escaped. Defence in depth before dangerouslySetInnerHTML: drop every other tag (and
// anything tag-like, unterminated or with attributes, comments included), so whatever
// the server sends, the only elements that can render are bare <mark>s.

/** The HTML with every tag except exactly `<mark>` and `</mark>` removed. */
export function onlyMarkTags(html: string): string {
  return html.replace(/<(?!\/?mark>)[^>]*>?/g, '');
}
