// One help desk: enabled, name, phone (E.164) and email, as the end-user method page shows them, and
// its opening hours if it has any (a request outside them carries a risk signal).
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { HelpDesk, HelpDeskId } from '../../../../server/contract/realm-config';
import type { DeskHours } from '../../../../server/contract/risk';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

/** Monday first, as a working week reads; the values are the contract's (0 = Sunday). */
const DAYS: Array<{ day: number; label: string }> = [
  { day: 1, label: 'Mon' },
  { day: 2, label: 'Tue' },
  { day: 3, label: 'Wed' },
  { day: 4, label: 'Thu' },
  { day: 5, label: 'Fri' },
  { day: 6, label: 'Sat' },
  { day: 0, label: 'Sun' },
];

const DAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

interface DeskDraft extends Omit<HelpDesk, 'hours'> {
  /** Off: the desk is always staffed (no `outside-hours` signal). */
  hoursOn: boolean;
  /** Kept while switched off, so switching back on does not lose what was typed. */
  hours: DeskHours;
}

/** What a desk's hours start from when switched on: weekdays 08:00–18:00 in this console's zone. */
function defaultHours(): DeskHours {
  return {
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    days: [1, 2, 3, 4, 5],
    opens: '08:00',
    closes: '18:00',
  };
}

function toDraft(desk: HelpDesk): DeskDraft {
  const { hours, ...rest } = desk;
  return { ...rest, hoursOn: hours !== undefined, hours: hours ?? defaultHours() };
}

function fromDraft(draft: DeskDraft): HelpDesk {
  const { hoursOn, hours, ...rest } = draft;
  return hoursOn ? { ...rest, hours } : rest;
}

export function HelpDeskForm({ desk }: { desk: HelpDeskId }) {
  const store = useConsoleStore();
  const saved = useConsole((s) => s.config!.helpDesks[desk]);
  const source = useMemo(() => toDraft(saved), [saved]);
  const draft = useDraft<DeskDraft>(source);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder(`helpDesks.${desk}`)));
  const section = `help-desk-${desk}` as const;
  const change = (patch: Partial<DeskDraft>) => draft.set((d) => ({ ...d, ...patch }));
  const changeHours = (patch: Partial<DeskHours>) =>
    draft.set((d) => ({ ...d, hours: { ...d.hours, ...patch } }));
  const value = draft.value;
  const daysError = errors['hours.days'] ?? errors['hours'];

  return (
    <SettingsSection
      id={section}
      title={`Help Desk ${desk}`}
      description={
        saved.enabled
          ? `Offered to end-users as “${saved.name}”.`
          : 'Not offered to end-users while disabled.'
      }
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig(section, { helpDesks: { [desk]: fromDraft(draft.value) } })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <div className="field field-check">
        <input
          id={`desk-${desk}-enabled`}
          type="checkbox"
          checked={value.enabled}
          onChange={(e) => change({ enabled: e.target.checked })}
        />
        <label htmlFor={`desk-${desk}-enabled`}>Offer Help Desk {desk} to end-users</label>
        {errors['enabled'] ? <p className="field-error">{errors['enabled']}</p> : null}
      </div>
      <TextField
        label="Name"
        value={value.name}
        maxLength={60}
        error={errors['name']}
        onChange={(e) => change({ name: e.target.value })}
      />
      <TextField
        label="Phone"
        type="tel"
        value={value.phone}
        error={errors['phone']}
        hint="International format, e.g. +14155550123."
        onChange={(e) => change({ phone: e.target.value })}
      />
      <TextField
        label="Email"
        type="email"
        value={value.email}
        error={errors['email']}
        onChange={(e) => change({ email: e.target.value })}
      />
      <div className="field field-check">
        <input
          id={`desk-${desk}-hours-on`}
          type="checkbox"
          checked={value.hoursOn}
          aria-describedby={`desk-${desk}-hours-hint`}
          onChange={(e) => change({ hoursOn: e.target.checked })}
        />
        <label htmlFor={`desk-${desk}-hours-on`}>Opening hours</label>
        <p id={`desk-${desk}-hours-hint`} className="field-hint">
          A request that arrives outside them carries the “outside the desk’s opening hours” risk
          signal. Off: always open.
        </p>
      </div>
      {value.hoursOn ? (
        <fieldset className="desk-hours">
          <legend>Opening hours of Help Desk {desk}</legend>
          <TextField
            label="Time zone"
            value={value.hours.timeZone}
            error={errors['hours.timeZone']}
            hint="An IANA time zone, e.g. Europe/London."
            spellCheck={false}
            onChange={(e) => changeHours({ timeZone: e.target.value.trim() })}
          />
          <fieldset className="checkbox-group">
            <legend>Open on</legend>
            <div className="desk-hours-days">
              {DAYS.map(({ day, label }) => (
                <div key={day} className="field field-check field-inline-check">
                  <input
                    id={`desk-${desk}-day-${day}`}
                    type="checkbox"
                    checked={value.hours.days.includes(day)}
                    aria-invalid={daysError ? true : undefined}
                    onChange={(e) =>
                      changeHours({
                        days: e.target.checked
                          ? [...value.hours.days, day].sort((a, b) => a - b)
                          : value.hours.days.filter((d) => d !== day),
                      })
                    }
                  />
                  <label htmlFor={`desk-${desk}-day-${day}`}>
                    <abbr title={DAY_NAMES[day]}>{label}</abbr>
                  </label>
                </div>
              ))}
            </div>
            {daysError ? <p className="field-error">{daysError}</p> : null}
          </fieldset>
          <div className="field-row">
            <TextField
              label="Opens"
              type="time"
              value={value.hours.opens}
              error={errors['hours.opens']}
              onChange={(e) => changeHours({ opens: e.target.value })}
            />
            <TextField
              label="Closes"
              type="time"
              value={value.hours.closes}
              error={errors['hours.closes']}
              hint="Before opening: open over midnight."
              onChange={(e) => changeHours({ closes: e.target.value })}
            />
          </div>
        </fieldset>
      ) : null}
    </SettingsSection>
  );
}
