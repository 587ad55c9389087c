import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';

// The editor's colours, light and dark, each at least 4.5:1 against its background (WCAG AA; the browser tests run
// axe on the page). CodeMirror's default style and One Dark fall short for some tokens.
const light = HighlightStyle.define([
  { tag: t.keyword, color: '#7a1fa2' },
  { tag: [t.string, t.special(t.string)], color: '#a12b00' },
  { tag: [t.number, t.bool, t.null], color: '#0b6b2e' },
  { tag: t.comment, color: '#5c6370', fontStyle: 'italic' },
  { tag: [t.typeName, t.standard(t.name)], color: '#005a9e' },
  { tag: t.operator, color: '#424242' },
]);

const dark = HighlightStyle.define([
  { tag: t.keyword, color: '#dcb0f5' },
  { tag: [t.string, t.special(t.string)], color: '#b5e3a1' },
  { tag: [t.number, t.bool, t.null], color: '#f5c77e' },
  { tag: t.comment, color: '#a0a6b0', fontStyle: 'italic' },
  { tag: [t.typeName, t.standard(t.name)], color: '#8cc8ff' },
  { tag: t.operator, color: '#d0d0d0' },
]);

const base = {
  '&': { backgroundColor: 'var(--mantine-color-body)', color: 'var(--mantine-color-text)' },
  '.cm-gutters': { backgroundColor: 'var(--mantine-color-default)', color: 'var(--mantine-color-dimmed)', borderRight: '1px solid var(--mantine-color-default-border)' },
  '.cm-activeLine': { backgroundColor: 'transparent' },
  '.cm-cursor': { borderLeftColor: 'var(--mantine-color-text)' },
};

export const editorTheme = (scheme: 'light' | 'dark'): Extension => [
  EditorView.theme(
    {
      ...base,
      '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: scheme === 'dark' ? '#3a4b6b' : '#cfe2ff' },
      '.cm-tooltip': { backgroundColor: 'var(--mantine-color-body)', color: 'var(--mantine-color-text)', border: '1px solid var(--mantine-color-default-border)' },
      '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: scheme === 'dark' ? '#2f4a7a' : '#d0e4ff', color: 'var(--mantine-color-text)' },
      '.cm-completionDetail': { color: 'var(--mantine-color-dimmed)' },
    },
    { dark: scheme === 'dark' },
  ),
  syntaxHighlighting(scheme === 'dark' ? dark : light),
];
