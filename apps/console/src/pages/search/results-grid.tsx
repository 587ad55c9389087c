import { createColumnHelper, tableFeatures, useTable } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import type { ResultColumn, ResultRow } from '../../api/query-api';
import { cellText } from './cell-text';

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, ResultRow>();

const WIDTHS: Record<string, number> = { payload: 440, data: 220, sequence_number: 280, arrival_time: 210, shard_id: 190, partition_key: 160, source: 80, sub_sequence_number: 90 };
const widthOf = (c: ResultColumn) => WIDTHS[c.name] ?? (/INT|DOUBLE|DECIMAL|FLOAT|BOOLEAN/.test(c.type) ? 120 : 180);
const ROW_HEIGHT = 28;
const isNumeric = (c: ResultColumn) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U?INT|DOUBLE|FLOAT|REAL|DECIMAL)/.test(c.type);

export interface ResultsGridProps {
  columns: ResultColumn[];
  rows: ResultRow[];
  rowCount: number;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  selected: number | null;
  onSelect: (index: number) => void;
}

/**
 * The result rows as an ARIA grid (DOM rows, so screen readers and browser tests read them), virtualised: only the
 * rows in view exist. Scrolling near the end loads the next results page.
 */
export function ResultsGrid({ columns, rows, rowCount, hasMore, loadingMore, onLoadMore, selected, onSelect }: ResultsGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const columnDefs = useMemo(
    () => columns.map((c) => helper.accessor((row) => row[c.name], { id: c.name, header: c.name, cell: (info) => cellText(info.getValue()) })),
    [columns],
  );
  const table = useTable({ features, columns: columnDefs, data: rows });
  const modelRows = table.getRowModel().rows;
  const widths = columns.map(widthOf);
  const totalWidth = widths.reduce((a, b) => a + b, 0);

  const virtualizer = useVirtualizer({ count: modelRows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loadingMore && last >= modelRows.length - 40) onLoadMore();
  }, [last, hasMore, loadingMore, modelRows.length, onLoadMore]);

  return (
    <div ref={scroller} role="grid" aria-label="Results" aria-rowcount={rowCount + 1} aria-colcount={columns.length} className="flux-grid" style={{ height: 'calc(100vh - 420px)', minHeight: 260, overflow: 'auto' }}>
      <div role="rowgroup" style={{ position: 'sticky', top: 0, zIndex: 1, width: totalWidth, minWidth: '100%' }}>
        {table.getHeaderGroups().map((group) => (
          <div role="row" data-header="true" aria-rowindex={1} key={group.id}>
            {group.headers.map((header, i) => (
              <div role="columnheader" key={header.id} style={{ width: widths[i], flexGrow: i === widths.length - 1 ? 1 : 0 }} title={`${columns[i].name} (${columns[i].type})`}>
                {columns[i].name}
              </div>
            ))}
          </div>
        ))}
      </div>
      <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative', width: totalWidth, minWidth: '100%' }}>
        {items.map((item) => {
          const row = modelRows[item.index];
          return (
            <div
              role="row"
              key={row.id}
              aria-rowindex={item.index + 2}
              aria-selected={selected === item.index}
              data-selected={selected === item.index}
              tabIndex={0}
              onClick={() => onSelect(item.index)}
              onKeyDown={(e) => e.key === 'Enter' && onSelect(item.index)}
              style={{ position: 'absolute', top: 0, left: 0, height: ROW_HEIGHT, width: '100%', minWidth: totalWidth, transform: `translateY(${item.start}px)` }}
            >
              {row.getAllCells().map((cell, i) => {
                const text = cellText(cell.getValue());
                return (
                  <div role="gridcell" key={cell.id} style={{ width: widths[i], flexGrow: i === widths.length - 1 ? 1 : 0, textAlign: isNumeric(columns[i]) ? 'right' : undefined }} data-null={cell.getValue() === null || cell.getValue() === undefined} title={text.length > 60 ? text.slice(0, 2000) : undefined}>
                    {text}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
