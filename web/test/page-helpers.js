// Page helpers shared by the player's browser tests (player.test.js, player-api.test.js).

// Pixels of the canvases under `selector` that are drawn (opaque and not near-black), and all.
export function paintedPixels(p, selector) {
  return p.evaluate((sel) => {
    let painted = 0;
    let total = 0;
    for (const c of document.querySelectorAll(`${sel} canvas`)) {
      if (!c.width || !c.height) continue;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      total += c.width * c.height;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] > 60) painted++;
    }
    return { painted, total };
  }, selector);
}

// Show [start, start + seconds) in the zoom view and wait for the lanes to follow.
export async function showRange(p, start, seconds) {
  await p.evaluate(([s, n]) => {
    const v = window.timesidePlayer.peaks.views.getView('zoomview');
    v.setZoom({ seconds: n });
    v.setStartTime(s);
  }, [start, seconds]);
  await p.waitForFunction(([s]) => Math.abs(window.timesidePlayer.lanes.start - s) < 0.05, [start]);
  return p.evaluate(() => ({ start: window.timesidePlayer.lanes.start, end: window.timesidePlayer.lanes.end }));
}
