// Settings → Directory: where users come from (the embedded directory or LDAP / Active Directory),
// the LDAP connection and attribute mapping, presets, the connection test, and the directory's status.
import { useShallow } from 'zustand/react/shallow';
import type {
  DirectorySettings,
  LdapAttributeMap,
  LdapDisabledRule,
  LdapSettings,
} from '../../../../../server/contract/directory';
import {
  ACTIVE_DIRECTORY_PRESET,
  OPENLDAP_PRESET,
  USERNAME_PLACEHOLDER,
} from '../../../../../server/contract/directory';
import { directorySelectors, settingsSelectors, useConsole, useConsoleStore } from '../../../store';
import { TextAreaField, TextField } from '../../../ui/Field';
import { SavedSecretField, useSavedSecret, type SavedSecret } from '../../../ui/SavedSecretField';
import { SettingsSection } from '../SettingsSection';
import { useDraft } from '../use-draft';
import { DirectoryStatusLine } from './DirectoryStatusLine';
import { DirectoryTestPanel } from './DirectoryTestPanel';

const ATTRIBUTE_FIELDS: Array<{ key: keyof LdapAttributeMap; label: string; required: boolean }> = [
  { key: 'username', label: 'Username', required: true },
  { key: 'displayName', label: 'Name', required: true },
  { key: 'email', label: 'Email', required: false },
  { key: 'phone', label: 'Phone', required: false },
  { key: 'employeeId', label: 'Employee ID', required: false },
  { key: 'department', label: 'Department', required: false },
  { key: 'manager', label: 'Manager', required: false },
];

const PRESETS = [
  { name: 'OpenLDAP', preset: OPENLDAP_PRESET },
  { name: 'Active Directory', preset: ACTIVE_DIRECTORY_PRESET },
] as const;

export function DirectorySettingsForm() {
  const store = useConsoleStore();
  const saved = useConsole((s) => s.config!.directory);
  const status = useConsole(directorySelectors.status);
  const draft = useDraft<DirectorySettings>(saved);
  const bindPassword = useSavedSecret();
  const saveErrors = useConsole(useShallow(settingsSelectors.errorsUnder('')));
  const testFields = useConsole((s) =>
    s.directoryTest.step === 'refused' ? s.directoryTest.fields : null,
  );
  const settings = draft.value;
  const ldap = settings.ldap;
  const passwordSaved = status?.bindPasswordSaved ?? false;

  /** A save's refusal names `settings.ldap.url`; a test's names `ldap.url`. */
  const errorAt = (path: string): string | undefined =>
    saveErrors[`settings.${path}`] ??
    (path.startsWith('ldap.') ? testFields?.[path.slice('ldap.'.length)] : undefined);
  const change = (patch: Partial<DirectorySettings>) => draft.set((d) => ({ ...d, ...patch }));
  const changeLdap = (patch: Partial<LdapSettings>) =>
    draft.set((d) => ({ ...d, ldap: { ...d.ldap, ...patch } }));
  const save = () => {
    const password = bindPassword.toSend;
    void store
      .getState()
      .saveDirectory({
        settings: draft.value,
        ...(password !== undefined ? { bindPassword: password } : {}),
      })
      .then((outcome) => {
        if (!outcome.ok) return;
        draft.reset();
        bindPassword.reset();
      });
  };

  return (
    <SettingsSection
      id="directory"
      title="Directory"
      description="Where users are looked up when they ask for help and when they sign in. Only admins see this."
      dirty={draft.dirty || bindPassword.dirty}
      onReset={() => {
        draft.reset();
        bindPassword.reset();
      }}
      onSave={save}
    >
      <DirectoryStatusLine />
      <fieldset className="radio-group">
        <legend>Source</legend>
        <div className="field field-check">
          <input
            id="directory-source-embedded"
            type="radio"
            name="directory-source"
            checked={settings.source === 'embedded'}
            onChange={() => change({ source: 'embedded' })}
          />
          <label htmlFor="directory-source-embedded">Embedded directory</label>
          <p className="field-hint">Users kept by this server: add them below or import a CSV.</p>
        </div>
        <div className="field field-check">
          <input
            id="directory-source-ldap"
            type="radio"
            name="directory-source"
            checked={settings.source === 'ldap'}
            onChange={() => change({ source: 'ldap' })}
          />
          <label htmlFor="directory-source-ldap">LDAP / Active Directory</label>
          <p className="field-hint">
            Users are read live from your directory server; passwords are checked by binding as the
            user.
          </p>
        </div>
        {errorAt('source') ? <p className="field-error">{errorAt('source')}</p> : null}
      </fieldset>

      <TextField
        className="field-short"
        label="Default phone country"
        value={settings.phoneCountry}
        maxLength={2}
        autoComplete="off"
        spellCheck={false}
        error={errorAt('phoneCountry')}
        hint="Two letters, e.g. US or GB: phone numbers without a +country code are read as this country's."
        onChange={(e) => change({ phoneCountry: e.target.value.toUpperCase() })}
      />

      {settings.source === 'ldap' ? (
        <LdapFields
          ldap={ldap}
          onChange={changeLdap}
          errorAt={errorAt}
          bindPassword={bindPassword}
          passwordSaved={passwordSaved}
          passwordError={saveErrors['bindPassword']}
        />
      ) : null}

      {settings.source === 'ldap' ? (
        <DirectoryTestPanel ldap={ldap} bindPassword={bindPassword.toSend} />
      ) : null}
    </SettingsSection>
  );
}

function LdapFields(props: {
  ldap: LdapSettings;
  onChange: (patch: Partial<LdapSettings>) => void;
  errorAt: (path: string) => string | undefined;
  bindPassword: SavedSecret;
  passwordSaved: boolean;
  passwordError: string | undefined;
}) {
  const { ldap, onChange, errorAt } = props;
  const rule = ldap.disabled;
  const setRule = (kind: LdapDisabledRule['kind']) =>
    onChange({
      disabled:
        kind === 'attribute'
          ? {
              kind,
              attribute: rule.kind === 'attribute' ? rule.attribute : '',
              value: rule.kind === 'attribute' ? rule.value : '',
            }
          : { kind },
    });

  return (
    <>
      <fieldset className="directory-group">
        <legend>Connection</legend>
        <div className="field-row">
          <TextField
            className="field-wide"
            label="Server URL"
            value={ldap.url}
            placeholder="ldaps://ldap.example.com:636"
            autoComplete="off"
            spellCheck={false}
            error={errorAt('ldap.url')}
            hint="ldap://host:389 or ldaps://host:636"
            onChange={(e) => onChange({ url: e.target.value })}
          />
          <div className="field field-check field-check-aligned">
            <input
              id="directory-starttls"
              type="checkbox"
              checked={ldap.startTls}
              aria-describedby={errorAt('ldap.startTls') ? 'directory-starttls-error' : undefined}
              aria-invalid={errorAt('ldap.startTls') ? true : undefined}
              onChange={(e) => onChange({ startTls: e.target.checked })}
            />
            <label htmlFor="directory-starttls">StartTLS</label>
            {errorAt('ldap.startTls') ? (
              <p id="directory-starttls-error" className="field-error">
                {errorAt('ldap.startTls')}
              </p>
            ) : (
              <p className="field-hint">Upgrade ldap:// to TLS before binding</p>
            )}
          </div>
        </div>
        <TextAreaField
          label="CA certificate (PEM)"
          className="field-mono"
          rows={4}
          value={ldap.caCertificate}
          placeholder="-----BEGIN CERTIFICATE-----"
          spellCheck={false}
          error={errorAt('ldap.caCertificate')}
          hint="The certificate of the CA that signed the server's; leave empty to trust the system's CAs."
          onChange={(e) => onChange({ caCertificate: e.target.value })}
        />
        <div className="field-row">
          <TextField
            label="Bind DN"
            value={ldap.bindDn}
            placeholder="cn=helpdesk,ou=services,dc=example,dc=com"
            autoComplete="off"
            spellCheck={false}
            error={errorAt('ldap.bindDn')}
            hint="The service account that searches for users."
            onChange={(e) => onChange({ bindDn: e.target.value })}
          />
          <SavedSecretField
            id="directory"
            label="Bind password"
            secret={props.bindPassword}
            saved={props.passwordSaved}
            error={props.passwordError}
          />
        </div>
      </fieldset>

      <fieldset className="directory-group">
        <legend>Looking users up</legend>
        <div className="preset-row">
          <span className="field-hint" id="directory-presets-hint">
            Fill the filter, attributes and disabled rule for:
          </span>
          {PRESETS.map(({ name, preset }) => (
            <button
              key={name}
              type="button"
              className="button button-small"
              aria-describedby="directory-presets-hint"
              onClick={() => onChange(structuredClone(preset))}
            >
              {name}
            </button>
          ))}
        </div>
        <div className="field-row">
          <TextField
            label="Base DN"
            value={ldap.baseDn}
            placeholder="ou=people,dc=example,dc=com"
            autoComplete="off"
            spellCheck={false}
            error={errorAt('ldap.baseDn')}
            hint="Where users are searched, with everything below it."
            onChange={(e) => onChange({ baseDn: e.target.value })}
          />
          <TextField
            label="User filter"
            className="field-mono"
            value={ldap.userFilter}
            autoComplete="off"
            spellCheck={false}
            error={errorAt('ldap.userFilter')}
            hint={`${USERNAME_PLACEHOLDER} is replaced by the username, escaped.`}
            onChange={(e) => onChange({ userFilter: e.target.value })}
          />
        </div>
        <p className="subsection-title" id="directory-attributes-heading">
          Attributes
        </p>
        <div className="attribute-grid" role="group" aria-labelledby="directory-attributes-heading">
          {ATTRIBUTE_FIELDS.map(({ key, label, required }) => (
            <TextField
              key={key}
              label={`${label} attribute`}
              className="field-mono"
              value={ldap.attributes[key]}
              placeholder={required ? undefined : 'none'}
              autoComplete="off"
              spellCheck={false}
              error={errorAt(`ldap.attributes.${key}`)}
              onChange={(e) =>
                onChange({ attributes: { ...ldap.attributes, [key]: e.target.value } })
              }
            />
          ))}
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="directory-disabled-rule">Disabled accounts</label>
            <select
              id="directory-disabled-rule"
              value={rule.kind}
              onChange={(e) => setRule(e.target.value as LdapDisabledRule['kind'])}
            >
              <option value="none">Not marked (every account found is enabled)</option>
              <option value="ad-user-account-control">
                Active Directory: userAccountControl says disabled
              </option>
              <option value="attribute">An attribute has a value</option>
            </select>
          </div>
          {rule.kind === 'attribute' ? (
            <>
              <TextField
                label="Attribute"
                className="field-mono"
                value={rule.attribute}
                placeholder="employeeType"
                autoComplete="off"
                spellCheck={false}
                error={errorAt('ldap.disabled.attribute')}
                onChange={(e) => onChange({ disabled: { ...rule, attribute: e.target.value } })}
              />
              <TextField
                label="Value meaning disabled"
                value={rule.value}
                placeholder="disabled"
                autoComplete="off"
                spellCheck={false}
                error={errorAt('ldap.disabled.value')}
                onChange={(e) => onChange({ disabled: { ...rule, value: e.target.value } })}
              />
            </>
          ) : null}
        </div>
        <div className="field-row">
          <TextField
            className="field-wide"
            label="Privileged group DN"
            value={ldap.privilegedGroup}
            placeholder="cn=admins,ou=groups,dc=example,dc=com"
            autoComplete="off"
            spellCheck={false}
            error={errorAt('ldap.privilegedGroup')}
            hint="Its members are shown to agents as privileged users. Leave empty for none."
            onChange={(e) => onChange({ privilegedGroup: e.target.value })}
          />
          <TextField
            label="Cache lookups for (seconds)"
            type="number"
            min={0}
            max={300}
            value={String(ldap.cacheSeconds)}
            error={errorAt('ldap.cacheSeconds')}
            hint="For the queue only; reveals and sign-ins always read live."
            onChange={(e) => onChange({ cacheSeconds: Number(e.target.value) })}
          />
        </div>
      </fieldset>
    </>
  );
}
