import { useQuery } from 'urql';
import { useAccount } from '../../app/account';
import { Remote } from '../../components/Remote';
import { graphql } from '../../gql';
import type { ScorecardsQuery as ScorecardsResult } from '../../gql/graphql';
import { formatCount, formatPercent } from '../../i18n/messages';
import { scorecardMessages as s, transportMessages as t } from '../../i18n/transport';
import { onTimeByCarrier } from '../../transport/scorecards';
import { PageHeader } from '../../warehousing/ui';

export const ScorecardsQuery = graphql(`
  query Scorecards($filter: ScorecardFilter) {
    scorecards(filter: $filter) {
      carrier {
        id
        code
        name
      }
      serviceCode
      origin
      destination
      month
      shipments
      delivered
      onTime
      p50Days
      p90Days
      onTimeRate
      exceptionRate
      customsHoldRate
      lostRate
      complaints {
        kind
        count
      }
    }
  }
`);

type Scorecard = ScorecardsResult['scorecards'][number];

const rate = (r: number | null | undefined) =>
  r === null || r === undefined ? s.none : formatPercent(r);

/** `/accounts/:id/scorecards`: carrier × lane × month scorecards with an on-time chart. */
export default function ScorecardsPage() {
  const { account } = useAccount();
  const [result, reexecute] = useQuery({ query: ScorecardsQuery, variables: { filter: null }, requestPolicy: 'cache-and-network' });
  return (
    <>
      <title>{t.title(s.title, account.legalName)}</title>
      <PageHeader title={s.title} lead={s.lead} />
      <Remote
        value={result.data?.scorecards}
        result={result}
        what={s.what}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
        loadingLabel={s.loading}
      >
        {(cards) =>
          cards.length === 0 ? (
            <div className="card card-body empty-state" data-state="empty">
              <p>{s.empty}</p>
            </div>
          ) : (
            <>
              <Chart cards={cards} />
              <section className="card card-wide" aria-labelledby="scorecards-heading">
                <div className="card-header">
                  <h2 id="scorecards-heading">{s.table}</h2>
                </div>
                {/* Focusable so that a keyboard can scroll the wide table. */}
                <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="scorecards-heading">
                  <table className="table" aria-labelledby="scorecards-heading">
                    <thead>
                      <tr>
                        <th scope="col">{s.carrier}</th>
                        <th scope="col">{s.lane}</th>
                        <th scope="col">{s.month}</th>
                        <th scope="col" className="num">
                          {s.shipments}
                        </th>
                        <th scope="col" className="num">
                          {s.onTime}
                        </th>
                        <th scope="col" className="num">
                          {s.p50}
                        </th>
                        <th scope="col" className="num">
                          {s.p90}
                        </th>
                        <th scope="col" className="num">
                          {s.exceptions}
                        </th>
                        <th scope="col" className="num">
                          {s.customsHolds}
                        </th>
                        <th scope="col" className="num">
                          {s.lost}
                        </th>
                        <th scope="col" className="num">
                          {s.complaints}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {cards.map((c) => (
                        <tr key={`${c.carrier.code}-${c.serviceCode}-${c.origin}-${c.destination}-${c.month}`}>
                          <th scope="row">
                            {c.carrier.name}
                            <span className="muted table-sub">{c.serviceCode}</span>
                          </th>
                          <td>{s.laneText(c.origin, c.destination)}</td>
                          <td>{c.month}</td>
                          <td className="num">{formatCount(c.shipments)}</td>
                          <td className="num">{rate(c.onTimeRate)}</td>
                          <td className="num">{c.p50Days ?? s.none}</td>
                          <td className="num">{c.p90Days ?? s.none}</td>
                          <td className="num">{rate(c.exceptionRate)}</td>
                          <td className="num">{rate(c.customsHoldRate)}</td>
                          <td className="num">{rate(c.lostRate)}</td>
                          <td className="num">{formatCount(c.complaints.reduce((n, k) => n + k.count, 0))}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </section>
            </>
          )
        }
      </Remote>
    </>
  );
}

/** A horizontal bar per carrier, plain SVG: the bar's length is its on-time rate. */
function Chart({ cards }: { cards: readonly Scorecard[] }) {
  const rows = onTimeByCarrier(cards);
  const rowHeight = 28;
  const labelWidth = 160;
  const barWidth = 360;
  const height = rows.length * rowHeight + 8;
  return (
    <section className="card" aria-labelledby="chart-heading">
      <div className="card-header">
        <h2 id="chart-heading">{s.chart}</h2>
      </div>
      <div className="card-body">
        <p className="muted" id="chart-description">
          {s.chartDescription}
        </p>
        <svg
          role="img"
          aria-labelledby="chart-heading"
          aria-describedby="chart-description"
          viewBox={`0 0 ${labelWidth + barWidth + 70} ${height}`}
          width="100%"
          data-testid="on-time-chart"
        >
          {rows.map((r, i) => {
            const y = i * rowHeight + 4;
            const w = Math.round((r.rate ?? 0) * barWidth);
            return (
              <g key={r.code} data-carrier={r.code}>
                <title>{s.bar(r.name, rate(r.rate))}</title>
                <text x={0} y={y + 17} fontSize="13" fill="currentColor">
                  {r.name}
                </text>
                <rect x={labelWidth} y={y + 4} width={barWidth} height={rowHeight - 10} fill="#e5e7eb" />
                <rect x={labelWidth} y={y + 4} width={w} height={rowHeight - 10} fill="#2563eb" />
                <text x={labelWidth + barWidth + 6} y={y + 17} fontSize="13" fill="currentColor">
                  {rate(r.rate)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}
