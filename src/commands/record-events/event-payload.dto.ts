import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { OffenderEventType } from '../../domain/offender-event';

// One class-validator DTO per event payload (DOMAIN.md section 3). Shape and ranges only:
// whether the event fits the offender's timeline is decided in src/domain, nowhere else.

const KEBAB_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const REF_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Free text is short on purpose: it must never carry personal data (names, addresses). */
const FREE_TEXT_MAX = 200;

export class OffenderRegisteredDto {
  @ApiProperty({ example: 'greater-manchester' }) @IsString() @Matches(KEBAB_ID, { message: 'area must be a kebab-case area id' }) @MaxLength(64)
  area!: string;
  @ApiProperty({ enum: [1, 2, 3] }) @IsInt() @Min(1) @Max(3)
  category!: 1 | 2 | 3;
  @ApiProperty({ enum: [1, 2, 3] }) @IsInt() @Min(1) @Max(3)
  level!: 1 | 2 | 3;
  @ApiPropertyOptional({ example: 'salford' }) @IsOptional() @IsString() @Matches(KEBAB_ID, { message: 'division must be a kebab-case division id' }) @MaxLength(64)
  division?: string;
  @ApiProperty() @IsBoolean()
  inCustody!: boolean;
  @ApiProperty() @IsBoolean()
  underSupervision!: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean()
  onLicence?: boolean;
}

export class CategoryChangedDto {
  @ApiProperty({ enum: [1, 2, 3] }) @IsInt() @Min(1) @Max(3)
  category!: 1 | 2 | 3;
}

export class LevelChangedDto {
  @ApiProperty({ enum: [1, 2, 3] }) @IsInt() @Min(1) @Max(3)
  level!: 1 | 2 | 3;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(FREE_TEXT_MAX)
  reason?: string;
}

export class DivisionChangedDto {
  @ApiProperty() @IsString() @Matches(KEBAB_ID, { message: 'division must be a kebab-case division id' }) @MaxLength(64)
  division!: string;
}

export class OffenderTransferredDto {
  @ApiProperty() @IsString() @Matches(KEBAB_ID, { message: 'toArea must be a kebab-case area id' }) @MaxLength(64)
  toArea!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(KEBAB_ID, { message: 'toDivision must be a kebab-case division id' }) @MaxLength(64)
  toDivision?: string;
}

export class CustodyEnteredDto {
  @ApiProperty({ enum: ['sentence', 'remand', 'recall', 'hospital'] }) @IsIn(['sentence', 'remand', 'recall', 'hospital'])
  reason!: 'sentence' | 'remand' | 'recall' | 'hospital';
}

export class ReleasedToCommunityDto {
  @ApiProperty() @IsBoolean()
  onLicence!: boolean;
}

export class NoPayloadDto {}

export class LicenceBreachedDto {
  @ApiProperty() @IsBoolean()
  returnedToCustody!: boolean;
}

export class NotificationRequirementBreachedDto {
  @ApiProperty({ enum: ['caution', 'conviction', 'no-further-action'] }) @IsIn(['caution', 'conviction', 'no-further-action'])
  outcome!: 'caution' | 'conviction' | 'no-further-action';
}

export class OrderWithExpiryDto {
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'orderId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  orderId!: string;
  @ApiPropertyOptional({ example: '2020-01-31' }) @IsOptional() @IsString() @Matches(DATE, { message: 'expiresOn must be a date YYYY-MM-DD' })
  expiresOn?: string;
}

export class NotificationOrderImposedDto {
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'orderId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  orderId!: string;
}

export class SopoBreachedDto {
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'orderId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  orderId!: string;
  @ApiProperty() @IsBoolean()
  sentToCustody!: boolean;
}

export class SfoChargedDto {
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'chargeId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  chargeId!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(FREE_TEXT_MAX)
  offence?: string;
}

export class SfoOutcomeRecordedDto {
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'chargeId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  chargeId!: string;
  @ApiProperty({ enum: ['convicted', 'acquitted', 'discontinued', 'convicted-other-offence'] })
  @IsIn(['convicted', 'acquitted', 'discontinued', 'convicted-other-offence'])
  outcome!: 'convicted' | 'acquitted' | 'discontinued' | 'convicted-other-offence';
}

export class SeriousCaseReviewCommencedDto {
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'reviewId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  reviewId!: string;
  @ApiProperty() @IsString() @Matches(REF_ID, { message: 'chargeId must be 1-64 characters of A-Z a-z 0-9 . _ -' })
  chargeId!: string;
}

export class MappaManagementEndedDto {
  @ApiProperty({ enum: ['registration-expired', 'licence-expired', 'no-longer-eligible', 'deceased', 'other'] })
  @IsIn(['registration-expired', 'licence-expired', 'no-longer-eligible', 'deceased', 'other'])
  reason!: 'registration-expired' | 'licence-expired' | 'no-longer-eligible' | 'deceased' | 'other';
}

export class EventRetractedDto {
  @ApiProperty({ format: 'uuid' }) @IsString() @Matches(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, { message: 'retractedEventId must be a UUID' })
  retractedEventId!: string;
  @ApiProperty() @IsString() @MaxLength(FREE_TEXT_MAX)
  reason!: string;
}

/** The payload DTO of each event type. */
export const PAYLOAD_DTO: Record<OffenderEventType, new () => object> = {
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
