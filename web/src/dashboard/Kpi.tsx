import type { ReactNode } from 'react';
import { Link } from 'wouter';

/** One key figure: what it is, the figure, and a line that says what it means or what to do. */
export function KpiTile({
  label,
  value,
  hint,
  tone = 'neutral',
  href,
  linkText,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: 'neutral' | 'good' | 'warning' | 'danger';
  href?: string;
  linkText?: string;
  testId?: string;
}) {
  return (
    <li className={`kpi kpi-${tone}`} data-testid={testId}>
      <p className="kpi-label">{label}</p>
      <p className="kpi-value">{value}</p>
      {hint && <p className="kpi-hint">{hint}</p>}
      {href && linkText && (
        <Link href={href} className="kpi-link">
          {linkText}
        </Link>
      )}
    </li>
  );
}
