import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { keywordCompletionSource, PostgreSQL, schemaCompletionSource, sql } from '@codemirror/lang-sql';
import { bracketMatching } from '@codemirror/language';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { editorTheme } from './editor-theme';
import { jsonPathCompletion, sqlNamespace, type StreamFields } from './sql-completion';

export interface SqlEditorProps {
  value: string;
  onChange: (sql: string) => void;
  onRun: () => void;
  streams: string[];
  schemas: StreamFields[];
}

/**
 * CodeMirror 6 with SQL highlighting and completion of stream tables, their columns and JSON paths in `payload`.
 * Mod-Enter runs; Escape (handled by the page) cancels, after CodeMirror closed an open completion list.
 */
export function SqlEditor({ value, onChange, onRun, streams, schemas }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const theme = useRef(new Compartment());
  const external = useRef(false);
  // Callbacks and schemas change on every render; the editor reads the latest through refs.
  const latest = useRef({ onChange, onRun, schemas, streams });
  latest.current = { onChange, onRun, schemas, streams };
  const scheme = useComputedColorScheme('light');

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current as HTMLDivElement,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          sql({ dialect: PostgreSQL }),
          // Our sources, in order: JSON paths in payload, stream tables and columns (read when asked, so they follow
          // the catalog), keywords.
          autocompletion({
            activateOnTyping: true,
            override: [
              jsonPathCompletion(() => latest.current.schemas),
              (context) => schemaCompletionSource({ dialect: PostgreSQL, schema: sqlNamespace(latest.current.streams, latest.current.schemas) })(context),
              keywordCompletionSource(PostgreSQL, true),
            ],
          }),
          placeholder('SELECT * FROM "orders" ORDER BY arrival_time DESC LIMIT 100'),
          Prec.high(
            keymap.of([
              // running closes an open completion list, so the next Esc cancels the query rather than closing the list
              { key: 'Mod-Enter', run: (editor) => (closeCompletion(editor), latest.current.onRun(), true) },
            ]),
          ),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          theme.current.of(editorTheme('light')),
          EditorView.contentAttributes.of({ 'aria-label': 'SQL editor' }),
          // only the user's edits: a text set from outside (below) is not reported back as one
          EditorView.updateListener.of((u) => u.docChanged && !external.current && latest.current.onChange(u.state.doc.toString())),
          EditorView.theme({ '&': { minHeight: '140px', maxHeight: '40vh' }, '.cm-scroller': { overflow: 'auto' } }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // created once; value, schema and theme changes are dispatched below
  }, []);

  // A value set from outside (history, a shared link) replaces the text.
  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    external.current = true;
    try {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    } finally {
      external.current = false;
    }
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: theme.current.reconfigure(editorTheme(scheme)) });
  }, [scheme]);

  return <div ref={host} className="flux-editor" />;
}
