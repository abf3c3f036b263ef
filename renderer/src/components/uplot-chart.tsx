// A uPlot chart that fills its container's width (ResizeObserver) and takes new data without being rebuilt.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import Box from '@mui/material/Box';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

interface Props {
  /** Rebuilds the chart when it changes identity: memoize it (theme, language, unit). */
  options: ChartOptions;
  data: uPlot.AlignedData;
  height: number;
  testId?: string;
  dimmed?: boolean;
}

export function UplotChart({ options, data, height, testId, dimmed = false }: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const dataRef = useRef(data);

  // Declared before the effect that builds the chart, so a new chart starts from the latest data.
  useEffect(() => {
    dataRef.current = data;
    plotRef.current?.setData(data);
  }, [data]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return undefined;
    const plot = new uPlot(
      { ...options, width: Math.max(container.clientWidth, 100), height },
      dataRef.current,
      container,
    );
    plotRef.current = plot;
    const observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (width > 0 && width !== plot.width) plot.setSize({ width, height });
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      plot.destroy();
      plotRef.current = null;
    };
  }, [options, height]);

  return (
    <Box
      ref={containerRef}
      data-testid={testId}
      sx={{
        width: '100%',
        minWidth: 0,
        opacity: dimmed ? 0.55 : 1,
        filter: dimmed ? 'grayscale(0.8)' : 'none',
        '& .u-legend': { fontSize: 11.5, color: 'text.secondary', textAlign: 'left', mt: 0.5 },
        '& .u-legend .u-series': { py: 0, px: 0.75 },
        '& .u-legend .u-series > *': { py: 0.25, px: 0.25 },
        '& .u-legend .u-marker': { width: 10, height: 10, borderRadius: 0.5, mr: 0.5 },
        '& .u-legend .u-value': { color: 'text.primary', fontVariantNumeric: 'tabular-nums' },
        '& .u-legend .u-series:first-of-type .u-marker': { display: 'none' },
      }}
    />
  );
}
