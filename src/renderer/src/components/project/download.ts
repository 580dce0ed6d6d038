/** Saves text as a file through the browser's download (Electron shows its save dialog). */
export function downloadText(fileName: string, text: string, type = 'text/yaml'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The download has its own reference by now; the URL would otherwise live as long as the page.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
