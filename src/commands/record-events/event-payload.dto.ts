import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  CATEGORIES,
  CUSTODY_REASONS,
  LEVELS,
  MAPPA_END_REASONS,
  NOTIFICATION_BREACH_OUTCOMES,
  SFO_OUTCOMES,
  type Category,
  type CustodyReason,
  type Level,
  type MappaEndReason,
  type NotificationBreachOutcome,
  type OffenderEventData,
  type OffenderEventType,
  type SfoOutcome,
} from '../../domain/offender-event';

// One DTO per payload (DOMAIN.md 3), shape and ranges only; each implements its payload type so a drifting DTO fails to compile (PAYLOAD_DTO).

type PayloadOf<T extends OffenderEventType> = OffenderEventData[T];

const KEBAB_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const REF_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Free text is short on purpose: it must never carry personal data (names, addresses). */
const FREE_TEXT_MAX = 200;

export class OffenderRegisteredDto implements PayloadOf<'OffenderRegistered'> {
  @ApiProperty({ example: 'greater-manchester' })
  @IsString()
  @Matches(KEBAB_ID, { message: 'area must be a kebab-case area id' })
  @MaxLength(64)
  area!: string;
  @ApiProperty({ enum: CATEGORIES })
  @IsIn(CATEGORIES)
  category!: Category;
  @ApiProperty({ enum: LEVELS })
  @IsIn(LEVELS)
  level!: Level;
  @ApiPropertyOptional({ example: 'salford' })
  @IsOptional()
  @IsString()
  @Matches(KEBAB_ID, { message: 'division must be a kebab-case division id' })
  @MaxLength(64)
  division?: string;
  @ApiProperty()
  @IsBoolean()
  inCustody!: boolean;
  @ApiProperty()
  @IsBoolean()
  underSupervision!: boolean;
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  onLicence?: boolean;
}

export class CategoryChangedDto implements PayloadOf<'CategoryChanged'> {
  @ApiProperty({ enum: CATEGORIES })
  @IsIn(CATEGORIES)
  category!: Category;
}

export class LevelChangedDto implements PayloadOf<'LevelChanged'> {
  @ApiProperty({ enum: LEVELS })
  @IsIn(LEVELS)
  level!: Level;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_MAX)
  reason?: string;
}

export class DivisionChangedDto implements PayloadOf<'DivisionChanged'> {
  @ApiProperty()
  @IsString()
  @Matches(KEBAB_ID, { message: 'division must be a kebab-case division id' })
  @MaxLength(64)
  division!: string;
}

export class OffenderTransferredDto implements PayloadOf<'OffenderTransferred'> {
  @ApiProperty()
  @IsString()
  @Matches(KEBAB_ID, { message: 'toArea must be a kebab-case area id' })
  @MaxLength(64)
  toArea!: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(KEBAB_ID, { message: 'toDivision must be a kebab-case division id' })
  @MaxLength(64)
  toDivision?: string;
}

export class CustodyEnteredDto implements PayloadOf<'CustodyEntered'> {
  @ApiProperty({ enum: CUSTODY_REASONS })
  @IsIn(CUSTODY_REASONS)
  reason!: CustodyReason;
}

export class ReleasedToCommunityDto implements PayloadOf<'ReleasedToCommunity'> {
  @ApiProperty()
  @IsBoolean()
  onLicence!: boolean;
}

export class NoPayloadDto implements PayloadOf<'SupervisionStarted'> {
  [field: string]: never;
}

export class LicenceBreachedDto implements PayloadOf<'LicenceBreached'> {
  @ApiProperty()
  @IsBoolean()
  returnedToCustody!: boolean;
}

export class NotificationRequirementBreachedDto implements PayloadOf<'NotificationRequirementBreached'> {
  @ApiProperty({ enum: NOTIFICATION_BREACH_OUTCOMES })
  @IsIn(NOTIFICATION_BREACH_OUTCOMES)
  outcome!: NotificationBreachOutcome;
}

export class OrderWithExpiryDto implements PayloadOf<'SopoImposed'> {
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'orderId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  orderId!: string;
  @ApiPropertyOptional({ example: '2020-01-31' })
  @IsOptional()
  @IsString()
  @Matches(DATE, { message: 'expiresOn must be a date YYYY-MM-DD' })
  expiresOn?: string;
}

export class NotificationOrderImposedDto implements PayloadOf<'NotificationOrderImposed'> {
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'orderId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  orderId!: string;
}

export class SopoBreachedDto implements PayloadOf<'SopoBreached'> {
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'orderId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  orderId!: string;
  @ApiProperty()
  @IsBoolean()
  sentToCustody!: boolean;
}

export class SfoChargedDto implements PayloadOf<'SfoCharged'> {
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'chargeId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  chargeId!: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FREE_TEXT_MAX)
  offence?: string;
}

export class SfoOutcomeRecordedDto implements PayloadOf<'SfoOutcomeRecorded'> {
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'chargeId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  chargeId!: string;
  @ApiProperty({ enum: SFO_OUTCOMES })
  @IsIn(SFO_OUTCOMES)
  outcome!: SfoOutcome;
}

export class SeriousCaseReviewCommencedDto implements PayloadOf<'SeriousCaseReviewCommenced'> {
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'reviewId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  reviewId!: string;
  @ApiProperty()
  @IsString()
  @Matches(REF_ID, { message: 'chargeId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  chargeId!: string;
}

export class MappaManagementEndedDto implements PayloadOf<'MappaManagementEnded'> {
  @ApiProperty({ enum: MAPPA_END_REASONS })
  @IsIn(MAPPA_END_REASONS)
  reason!: MappaEndReason;
}

export class EventRetractedDto implements PayloadOf<'EventRetracted'> {
  @ApiProperty({ format: 'uuid' })
  @IsString()
  @Matches(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, { message: 'retractedEventId must be a UUID' })
  retractedEventId!: string;
  @ApiProperty()
  @IsString()
  @MaxLength(FREE_TEXT_MAX)
  reason!: string;
}

/** The payload DTO of each event type. */
export const PAYLOAD_DTO: { [T in OffenderEventType]: new () => OffenderEventData[T] } = {
  OffenderRegistered: OffenderRegisteredDto,
  CategoryChanged: CategoryChangedDto,
  LevelChanged: LevelChangedDto,
  DivisionChanged: DivisionChangedDto,
  OffenderTransferred: OffenderTransferredDto,
  CustodyEntered: CustodyEnteredDto,
  ReleasedToCommunity: ReleasedToCommunityDto,
  SupervisionStarted: NoPayloadDto,
  SupervisionEnded: NoPayloadDto,
  LicenceBreached: LicenceBreachedDto,
  NotificationRequirementBreached: NotificationRequirementBreachedDto,
  SopoImposed: OrderWithExpiryDto,
  NotificationOrderImposed: NotificationOrderImposedDto,
  ForeignTravelOrderImposed: OrderWithExpiryDto,
  SopoBreached: SopoBreachedDto,
  SfoCharged: SfoChargedDto,
  SfoOutcomeRecorded: SfoOutcomeRecordedDto,
  SeriousCaseReviewCommenced: SeriousCaseReviewCommencedDto,
  MappaManagementEnded: MappaManagementEndedDto,
  EventRetracted: EventRetractedDto,
};
