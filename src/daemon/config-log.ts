// Configuration diagnostics as log records: `config.error` (or a warning) with file, line,
// column, keyword and block as fields, and the file:line:col text as the message.
import { formatDiagnostic, type Diagnostic } from '../../grammar/diagnostics.js';
import { EV, type Logger } from './log.js';

export function logDiagnostics(log: Logger, diags: readonly Diagnostic[]): void {
  for (const d of diags) {
    const fields = {
      event: d.level === 'error' ? EV.configError : 'config.warning',
      ...(d.pos ? { file: d.pos.file, line: d.pos.line, col: d.pos.col } : {}),
      ...(d.keyword ? { keyword: d.keyword } : {}),
      ...(d.block ? { block: d.block } : {}),
    };
    if (d.level === 'error') log.error(fields, formatDiagnostic(d));
    else log.warn(fields, formatDiagnostic(d));
  }
}
