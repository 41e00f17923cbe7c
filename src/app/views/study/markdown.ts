import MarkdownIt from 'markdown-it'

// html: false escapes any HTML in the source, so the rendered text can only contain Markdown's own
// tags; links open nothing outside the app unless written as plain Markdown links.
const markdown = new MarkdownIt({ html: false, linkify: false, breaks: true })

export function renderMarkdown(source: string): string {
  return markdown.render(source)
}
