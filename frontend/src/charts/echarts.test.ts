import { describe, expect, it } from 'vitest';
import CanvasPainter from 'zrender/lib/canvas/Painter.js';
import './echarts';

describe('a disposed chart', () => {
  it('ignores the paint frame zrender scheduled before the chart was disposed', () => {
    // What a disposed painter looks like: zrender's dispose() nulls its layers (_i).
    const disposed = Object.create(CanvasPainter.prototype) as { _i: unknown; _redrawId: number };
    disposed._i = null;
    disposed._redrawId = 7;
    const paintList = (CanvasPainter.prototype as unknown as { _paintList: (...a: unknown[]) => void })._paintList;
    expect(() => paintList.call(disposed, [], [], 7)).not.toThrow();
  });
});
