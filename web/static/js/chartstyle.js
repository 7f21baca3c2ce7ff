// The look shared by every uPlot chart: large, high-contrast axis text for projection on a wall,
// light grid lines. Charts spread AXIS into each axis and add their own label and size.

export const FONT = '16px system-ui, sans-serif';
export const LABEL_FONT = 'bold 17px system-ui, sans-serif';
export const AXIS = {
  stroke: '#111418',
  font: FONT,
  labelFont: LABEL_FONT,
  labelSize: 28,
  grid: { stroke: '#d5d9df', width: 1 },
  ticks: { stroke: '#8a929c', width: 1, size: 6 },
};
