// The business-hours editor (a form control: value/onChange, for a Form.Item): off
// means null (always open; for a team, the tenant's hours), on a schedule in an IANA
// time zone with up to 8 intervals per weekday (HH:MM, 24:00 allowed; an end at or
// before the start runs into the next day) and holidays (closed all day, or open with
// special hours: a make-up working day). Inputs a problem concerns are marked red:
// the client's checks (hours.ts) and the field a server error names (error, a path
// relative to the hours); the wrapping Form.Item shows the sentence.
import { useMemo, useRef } from 'react';
// Not in antd's index: it stops the wrapping Form.Item's error status from turning
// every input red, so only the inputs a problem concerns are marked.
import { NoFormStyle } from 'antd/es/form/context';
import { Button, Checkbox, Flex, Input, Select, Switch, Tag, Tooltip, Typography } from 'antd';
import { CopyOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { DAYS, MAX_HOLIDAY_NAME, MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, type BusinessHours, type Day, type HoursInterval } from '../../api/routing';
import { browserTimeZone, timeZoneOptions } from '../../lib/timezones';
import { checkHours, defaultHours, overnight, problemTouches, type Holiday, type Hours } from './hours';

export interface HoursEditorProps {
  value?: BusinessHours;
  onChange?: (v: BusinessHours) => void;
  /** Prefix of the test IDs (routing-hours, team-hours). */
  testId: string;
  /** tenant: off is "always open"; team: off is "the tenant's hours". */
  kind: 'tenant' | 'team';
  /** The field a server error names, relative to the hours ("weekly.mon[0].start"). */
  error?: string | null;
  /** The zone a new schedule starts in (default: the browser's). */
  defaultTimeZone?: string;
  disabled?: boolean;
}

function IntervalList({
  list,
  path,
  idPrefix,
  place,
  marked,
  disabled,
  onChange,
}: {
  list: HoursInterval[];
  /** JSON path of the list ("weekly.mon", "holidays[0].intervals"). */
  path: string;
  idPrefix: string;
  place: (i: number) => string;
  marked: (path: string) => boolean;
  disabled?: boolean;
  onChange: (list: HoursInterval[]) => void;
}) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<HoursInterval>) => onChange(list.map((iv, j) => (j === i ? { ...iv, ...patch } : iv)));
  return (
    <Flex gap={8} wrap align="center">
      {list.map((iv, i) => (
        <Flex key={i} gap={4} align="center" className="kefu-hours-interval">
          <Input
            value={iv.start}
            onChange={(e) => set(i, { start: e.target.value })}
            placeholder="09:00"
            maxLength={5}
            style={{ width: 72 }}
            status={marked(`${path}[${i}].start`) ? 'error' : undefined}
            aria-label={t('hours.startOf', { place: place(i) })}
            data-testid={`${idPrefix}-start-${i}`}
            disabled={disabled}
          />
          <span aria-hidden>–</span>
          <Input
            value={iv.end}
            onChange={(e) => set(i, { end: e.target.value })}
            placeholder="18:00"
            maxLength={5}
            style={{ width: 72 }}
            status={marked(`${path}[${i}].end`) ? 'error' : undefined}
            aria-label={t('hours.endOf', { place: place(i) })}
            data-testid={`${idPrefix}-end-${i}`}
            disabled={disabled}
          />
          {overnight(iv) ? (
            <Tooltip title={t('hours.overnightHint', { end: iv.end.trim() })}>
              <Tag color="blue" style={{ marginInlineEnd: 0 }} data-testid={`${idPrefix}-overnight-${i}`}>
                {t('hours.overnight')}
              </Tag>
            </Tooltip>
          ) : null}
          <Tooltip title={t('hours.removeInterval')}>
            <Button
              size="small"
              type="text"
              icon={<DeleteOutlined />}
              onClick={() => onChange(list.filter((_, j) => j !== i))}
              aria-label={t('hours.removeIntervalOf', { place: place(i) })}
              data-testid={`${idPrefix}-remove-${i}`}
              disabled={disabled}
            />
          </Tooltip>
        </Flex>
      ))}
      <Button
        size="small"
        type="dashed"
        icon={<PlusOutlined />}
        disabled={disabled || list.length >= MAX_INTERVALS_PER_DAY}
        onClick={() => onChange([...list, list.length ? { start: '', end: '' } : { start: '09:00', end: '18:00' }])}
        data-testid={`${idPrefix}-add`}
      >
        {t('hours.addInterval')}
      </Button>
    </Flex>
  );
}

export function HoursEditor({ value, onChange, testId, kind, error, defaultTimeZone, disabled }: HoursEditorProps) {
  const { t } = useTranslation();
  const hours: Hours | null = value ?? null;
  // Switching off and on again brings back what was being edited.
  const last = useRef<Hours | null>(hours);
  if (hours) last.current = hours;
  const zones = useMemo(() => timeZoneOptions(hours?.time_zone), [hours?.time_zone]);
  const problems = useMemo(() => checkHours(hours), [hours]);
  const marked = (path: string) => (error ? problemTouches(error, path) : false) || problems.some((p) => problemTouches(p.path, path) && !emptyNew(hours, path));

  const emit = (h: Hours | null) => onChange?.(h);
  const setDay = (d: Day, list: HoursInterval[]) => {
    if (!hours) return;
    const weekly = { ...hours.weekly };
    if (list.length) weekly[d] = list;
    else delete weekly[d];
    emit({ ...hours, weekly });
  };
  const holidays = hours?.holidays ?? [];
  const setHolidays = (list: Holiday[]) => {
    if (!hours) return;
    const next: Hours = { ...hours };
    if (list.length) next.holidays = list;
    else delete next.holidays;
    emit(next);
  };
  const setHoliday = (i: number, h: Holiday) => setHolidays(holidays.map((x, j) => (j === i ? h : x)));
  const dayName = (d: string) => t(`hours.days.${d}`);

  const copyMonday = () => {
    if (!hours) return;
    const mon = hours.weekly.mon ?? [];
    const weekly = { ...hours.weekly };
    for (const d of ['tue', 'wed', 'thu', 'fri'] as const) {
      if (mon.length) weekly[d] = mon.map((iv) => ({ ...iv }));
      else delete weekly[d];
    }
    emit({ ...hours, weekly });
  };

  return (
    <NoFormStyle status>
      <div className="kefu-hours" data-testid={testId} data-open={hours ? 'true' : 'false'}>
        <Flex align="center" gap={8} style={{ marginBottom: hours ? 12 : 0 }}>
          <Switch
            checked={!!hours}
            onChange={(on) => emit(on ? (last.current ?? defaultHours(defaultTimeZone || browserTimeZone())) : null)}
            data-testid={`${testId}-enabled`}
            aria-label={kind === 'team' ? t('hours.teamOwn') : t('hours.enabled')}
            disabled={disabled}
          />
          <Typography.Text>{kind === 'team' ? t('hours.teamOwn') : t('hours.enabled')}</Typography.Text>
          {!hours ? (
            <Typography.Text type="secondary" data-testid={`${testId}-off`}>
              {kind === 'team' ? t('hours.teamInherit') : t('hours.alwaysOpen')}
            </Typography.Text>
          ) : null}
        </Flex>
        {hours ? (
          <>
            <Flex vertical gap={4} style={{ marginBottom: 12, maxWidth: 420 }}>
              <Typography.Text>{t('hours.timeZone')}</Typography.Text>
              <Select
                showSearch
                virtual
                optionFilterProp="label"
                options={zones}
                value={hours.time_zone || undefined}
                onChange={(z: string) => emit({ ...hours, time_zone: z })}
                status={marked('time_zone') ? 'error' : undefined}
                data-testid={`${testId}-timezone`}
                aria-label={t('hours.timeZone')}
                disabled={disabled}
              />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('hours.timeZoneHint')}
              </Typography.Text>
            </Flex>

            <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 4 }}>
              <Typography.Text strong>{t('hours.weekly')}</Typography.Text>
              <Button size="small" icon={<CopyOutlined />} onClick={copyMonday} disabled={disabled || !(hours.weekly.mon ?? []).length} data-testid={`${testId}-copy-mon`}>
                {t('hours.copyMonday')}
              </Button>
            </Flex>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
              {t('hours.weeklyHint')}
            </Typography.Paragraph>
            <div className="kefu-hours-week">
              {DAYS.map((d) => {
                const list = hours.weekly[d] ?? [];
                return (
                  <Flex key={d} gap={12} align="baseline" style={{ padding: '6px 0', borderBottom: '1px solid rgba(5,5,5,0.06)' }} data-testid={`${testId}-day-${d}`}>
                    <Typography.Text style={{ width: 56, flex: 'none' }}>{dayName(d)}</Typography.Text>
                    <Flex gap={8} wrap align="center" style={{ flex: 1 }}>
                      {list.length === 0 ? (
                        <Tag style={{ marginInlineEnd: 0 }} data-testid={`${testId}-${d}-closed`}>
                          {t('hours.closed')}
                        </Tag>
                      ) : null}
                      <IntervalList
                        list={list}
                        path={`weekly.${d}`}
                        idPrefix={`${testId}-${d}`}
                        place={(i) => t('hours.place.interval', { day: dayName(d), n: i + 1 })}
                        marked={marked}
                        disabled={disabled}
                        onChange={(l) => setDay(d, l)}
                      />
                    </Flex>
                  </Flex>
                );
              })}
            </div>

            <Flex justify="space-between" align="center" wrap gap={8} style={{ marginTop: 16, marginBottom: 4 }}>
              <Typography.Text strong>{t('hours.holidays')}</Typography.Text>
              <Button
                size="small"
                icon={<PlusOutlined />}
                disabled={disabled || holidays.length >= MAX_HOLIDAYS}
                onClick={() => setHolidays([...holidays, { date: '' }])}
                data-testid={`${testId}-holiday-add`}
              >
                {t('hours.holidayAdd')}
              </Button>
            </Flex>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
              {t('hours.holidaysHint', { max: MAX_HOLIDAYS })}
            </Typography.Paragraph>
            <div data-testid={`${testId}-holidays`}>
              {holidays.map((h, i) => {
                const open = h.intervals !== undefined;
                const place = t('hours.place.holiday', { n: i + 1 });
                return (
                  <div key={i} style={{ padding: '6px 0', borderBottom: '1px solid rgba(5,5,5,0.06)' }} data-testid={`${testId}-holiday-${i}`}>
                    <Flex gap={8} wrap align="center">
                      <Input
                        value={h.date}
                        onChange={(e) => setHoliday(i, { ...h, date: e.target.value })}
                        placeholder="2026-10-01"
                        maxLength={10}
                        style={{ width: 120 }}
                        status={marked(`holidays[${i}].date`) ? 'error' : undefined}
                        aria-label={t('hours.holidayDateOf', { place })}
                        data-testid={`${testId}-holiday-date-${i}`}
                        disabled={disabled}
                      />
                      <Input
                        value={h.name ?? ''}
                        onChange={(e) => setHoliday(i, { ...h, name: e.target.value })}
                        placeholder={t('hours.holidayName')}
                        maxLength={MAX_HOLIDAY_NAME}
                        style={{ flex: 1, minWidth: 140 }}
                        status={marked(`holidays[${i}].name`) ? 'error' : undefined}
                        aria-label={t('hours.holidayNameOf', { place })}
                        data-testid={`${testId}-holiday-name-${i}`}
                        disabled={disabled}
                      />
                      <Checkbox
                        checked={open}
                        onChange={(e) => {
                          const next: Holiday = { ...h };
                          if (e.target.checked) next.intervals = [{ start: '09:00', end: '18:00' }];
                          else delete next.intervals;
                          setHoliday(i, next);
                        }}
                        data-testid={`${testId}-holiday-open-${i}`}
                        disabled={disabled}
                      >
                        {t('hours.holidayOpen')}
                      </Checkbox>
                      <Tooltip title={t('hours.holidayRemove')}>
                        <Button
                          size="small"
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          onClick={() => setHolidays(holidays.filter((_, j) => j !== i))}
                          aria-label={t('hours.holidayRemoveOf', { place })}
                          data-testid={`${testId}-holiday-remove-${i}`}
                          disabled={disabled}
                        />
                      </Tooltip>
                    </Flex>
                    {open ? (
                      <div style={{ marginTop: 6, paddingInlineStart: 16 }}>
                        <IntervalList
                          list={h.intervals ?? []}
                          path={`holidays[${i}].intervals`}
                          idPrefix={`${testId}-holiday-${i}`}
                          place={(j) => t('hours.place.interval', { day: place, n: j + 1 })}
                          marked={marked}
                          disabled={disabled}
                          onChange={(l) => {
                            // Without hours the day is simply closed.
                            const next: Holiday = { ...h };
                            if (l.length) next.intervals = l;
                            else delete next.intervals;
                            setHoliday(i, next);
                          }}
                        />
                      </div>
                    ) : (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('hours.holidayClosed')}
                      </Typography.Text>
                    )}
                  </div>
                );
              })}
              {holidays.length === 0 ? (
                <Typography.Text type="secondary" data-testid={`${testId}-holidays-empty`}>
                  {t('hours.holidaysEmpty')}
                </Typography.Text>
              ) : null}
            </div>
          </>
        ) : null}
      </div>
    </NoFormStyle>
  );
}

/** A field just added and still empty is not marked red until something is typed. */
function emptyNew(h: Hours | null, path: string): boolean {
  if (!h) return false;
  const iv = /^(?:weekly\.(\w+)|holidays\[(\d+)\]\.intervals)\[(\d+)\]\.(start|end)$/.exec(path);
  if (iv) {
    const list = iv[1] ? h.weekly[iv[1] as Day] : h.holidays?.[Number(iv[2])]?.intervals;
    const x = list?.[Number(iv[3])];
    return !!x && x[iv[4] as 'start' | 'end'] === '';
  }
  const date = /^holidays\[(\d+)\]\.date$/.exec(path);
  if (date) return h.holidays?.[Number(date[1])]?.date === '';
  return false;
}
