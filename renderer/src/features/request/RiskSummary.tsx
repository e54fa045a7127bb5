// The request's risk as the server assessed it: the level, its score, and each signal's reason in plain
// words, so the agent knows what to be strict about before the checks.
import { RISK_SIGNAL_LABELS } from '../../../../server/contract/risk';
import { useConsole } from '../../store';
import { RiskBadge } from '../../ui/RiskBadge';

export function RiskSummary() {
  const risk = useConsole((s) => s.detail?.risk);
  if (!risk) return null;
  return (
    <section className={`risk risk-${risk.level}`} aria-labelledby="risk-heading">
      <div className="risk-head">
        <h3 id="risk-heading" className="section-title">
          Risk
        </h3>
        <RiskBadge level={risk.level} />
        <span className="risk-score">score {risk.score}</span>
      </div>
      {risk.signals.length === 0 ? (
        <p className="field-hint">Nothing unusual noticed about this request.</p>
      ) : (
        <ul className="risk-signals" aria-label="Risk signals">
          {risk.signals.map((signal) => (
            <li key={signal.id} className="risk-signal">
              <span className="risk-signal-text">
                <span className="risk-signal-label">{RISK_SIGNAL_LABELS[signal.id]}</span>
                {signal.detail ? <span className="risk-signal-detail">{signal.detail}</span> : null}
              </span>
              <span className="risk-signal-weight" title="Points this signal adds to the score">
                +{signal.weight}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
